package dev.keysafe.workshop.lab;

import dev.keysafe.common.Sha256;
import dev.keysafe.workshop.Kit;
import dev.keysafe.workshop.lab.Lab.LabFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One step a learner took in a lab, as {@link LabEvents} hears of it: which lab, which step, when,
 * and for a solve what the local check can attest. It is built from a lab number, a hint number,
 * the kit's version and a digest only, so it has no room for code, output, a key or a path.
 *
 * @param lab         the lab's number: {@code 02}
 * @param step        what happened
 * @param hint        for {@link Step#HINT}, which hint (1 is the first); else 0
 * @param at          when, on the learner's clock
 * @param attestation for {@link Step#SOLVED}, what the passing check attests; else null
 */
public record LabEvent(String lab, Step step, int hint, Instant at, Attestation attestation) {

    /** The three steps a room hears of. */
    public enum Step {
        STARTED, HINT, SOLVED;

        /** The step as the room's API spells it: {@code started}, {@code hint}, {@code solved}. */
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * What a passing check on the learner's own machine can attest, and no more: which version of
     * the check ran (the kit's version) and a SHA-256 digest of the files it checked. Nobody else
     * reran it, so a solve that carries it is still self-reported: the digest tells two identical
     * submissions apart, it proves nothing about who wrote them.
     *
     * @param checkVersion the kit's version, e.g. {@code 0.1.0-SNAPSHOT}
     * @param digest       64 hex digits: SHA-256 over each checked file's path and digest, in path order
     */
    public record Attestation(String checkVersion, String digest) {
    }

    public static LabEvent started(Lab lab) {
        return new LabEvent(lab.id(), Step.STARTED, 0, Instant.now(), null);
    }

    /** The learner was shown hint {@code number} of {@code lab}. */
    public static LabEvent hint(Lab lab, int number) {
        return new LabEvent(lab.id(), Step.HINT, number, Instant.now(), null);
    }

    /** {@code lab}'s check passed on {@code copy}, the learner's working copy. */
    public static LabEvent solved(Lab lab, Path copy) {
        return new LabEvent(lab.id(), Step.SOLVED, 0, Instant.now(),
                new Attestation(Kit.Version.number(), digest(lab, copy)));
    }

    /**
     * The digest of the files the check judged: the lab's own files, or for a lab that has none
     * (01, a git repository) every file of the copy outside {@code .git/}. Compilation output
     * ({@code .build/}) is never part of it. A file that cannot be read counts as absent: a report
     * must not fail a lab that has just passed.
     */
    static String digest(Lab lab, Path copy) {
        List<String> paths = new ArrayList<>();
        if (lab.files().isEmpty()) {
            try (Stream<Path> files = Files.walk(copy)) {
                files.filter(Files::isRegularFile).map(p -> copy.relativize(p).toString().replace('\\', '/'))
                        .filter(p -> !p.startsWith(".git/") && !p.startsWith(".build/")).forEach(paths::add);
            } catch (IOException | RuntimeException unreadable) {
                paths.clear();
            }
        } else {
            lab.files().stream().map(LabFile::path).forEach(paths::add);
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        paths.stream().sorted().forEach(path -> {
            try {
                byte[] content = Files.readAllBytes(copy.resolve(path));
                all.writeBytes(path.getBytes(StandardCharsets.UTF_8));
                all.write(0);
                all.writeBytes(Sha256.of(content));
            } catch (IOException | RuntimeException absent) {
                // Counted as absent: the digest then differs from a full copy's, which is honest.
            }
        });
        return Sha256.hex(all.toByteArray());
    }
}

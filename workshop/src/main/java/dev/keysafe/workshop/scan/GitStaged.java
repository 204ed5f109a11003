package dev.keysafe.workshop.scan;

import dev.keysafe.common.ExitCode;
import dev.keysafe.workshop.KitException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the next commit would add, read with git itself: {@code git diff --cached} names the staged
 * files that differ from HEAD, {@code git cat-file --batch} hands over their staged content. A
 * pre-commit hook runs inside git, so git is always there; asking it costs a few milliseconds
 * where loading a Java git library costs a quarter of a second, and it honours whatever index the
 * commit uses ({@code git commit -a} and {@code git commit FILE} stage into a temporary one).
 */
final class GitStaged {

    /** One staged file: its path in the repository and its staged bytes. */
    record Blob(String path, byte[] bytes) {
    }

    private GitStaged() {
    }

    /** The staged files below the repository holding {@code dir} that differ from HEAD (all of them before the first commit). */
    static List<Blob> read(Path dir) {
        try {
            if (run(dir, "rev-parse", "--show-toplevel").exit != 0) {
                throw new KitException(dir + " is not in a git repository with a work tree: --staged needs one.",
                        ExitCode.CONFIG);
            }
            Output diff = run(dir, "diff", "--cached", "--raw", "-z", "--no-renames", "--no-abbrev",
                    "--diff-filter=d");
            if (diff.exit != 0) {
                throw new KitException("git diff --cached failed in " + dir + " (exit " + diff.exit + "): "
                        + diff.error.strip(), ExitCode.CONFIG);
            }
            return contents(dir, changes(diff.text));
        } catch (IOException e) {
            throw new KitException("--staged asks git what is staged, and git could not be run (" + e.getMessage()
                    + "). Install git, or scan the working tree: ./kit scan --no-history", ExitCode.CONFIG);
        }
    }

    /** {@code [path, blob id]} of each change in {@code diff --raw -z} output, submodules left out. */
    private static List<String[]> changes(String raw) {
        List<String[]> changes = new ArrayList<>();
        String[] fields = raw.split("\0");
        for (int i = 0; i + 1 < fields.length; i += 2) {
            // ":100644 100644 <old id> <new id> M", then the path
            String[] status = fields[i].split(" ");
            if (status.length >= 5 && !status[1].equals("160000")) {
                changes.add(new String[] {fields[i + 1], status[3]});
            }
        }
        return changes;
    }

    /** The staged bytes of each change, one {@code cat-file --batch} process for them all. */
    private static List<Blob> contents(Path dir, List<String[]> changes) throws IOException {
        List<Blob> blobs = new ArrayList<>();
        if (changes.isEmpty()) {
            return blobs;
        }
        Process git = git(dir, "cat-file", "--batch").start();
        try (OutputStream ask = git.getOutputStream(); InputStream answer = new BufferedInputStream(git.getInputStream())) {
            for (String[] change : changes) {
                // One at a time: a large blob cannot fill the pipe while we are still writing ids.
                ask.write((change[1] + "\n").getBytes(StandardCharsets.US_ASCII));
                ask.flush();
                String[] header = line(answer).split(" ");
                if (header.length < 3) {
                    continue;
                }
                long size = Long.parseLong(header[2]);
                if (size > Contents.MAX_BYTES) {
                    answer.skipNBytes(size + 1);
                    continue;
                }
                byte[] bytes = answer.readNBytes((int) size);
                answer.skipNBytes(1);
                blobs.add(new Blob(new String(change[0].getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8),
                        bytes));
            }
        } finally {
            git.destroy();
        }
        return blobs;
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != -1 && b != '\n'; ) {
            line.write(b);
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    private record Output(int exit, String text, String error) {
    }

    private static Output run(Path dir, String... args) throws IOException {
        Process git = git(dir, args).start();
        git.getOutputStream().close();
        byte[] out = git.getInputStream().readAllBytes();
        String error = new String(git.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            return new Output(git.waitFor(), new String(out, StandardCharsets.ISO_8859_1), error);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while git ran", e);
        }
    }

    private static ProcessBuilder git(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }
}

package dev.keysafe.workshop.room;

import dev.keysafe.testkit.Canary;
import dev.keysafe.workshop.Fixtures;
import dev.keysafe.workshop.Fixtures.Result;
import dev.keysafe.workshop.Workspace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One participant's laptop, in process: a folder of their own (KEYSAFE_WORK: labs-work/ and
 * .keysafe/ go there), an OpenAI key of their own in the environment, as a developer's shell has,
 * and {@code ./kit} run with that workspace.
 */
final class Participant {

    final String name;
    final Path home;
    final Canary key = Canary.fresh();
    final Workspace workspace;

    Participant(String name, Path home) {
        this.name = name;
        this.home = home;
        this.workspace = Fixtures.workspace(Fixtures.catalog(),
                Fixtures.env("KEYSAFE_WORK", home.toString(), "OPENAI_API_KEY", key.value()), home);
    }

    Result kit(String... args) {
        return Fixtures.kit(workspace, args);
    }

    /** {@code ./kit args}, which must exit 0. */
    Result ok(String... args) {
        Result result = kit(args);
        if (result.exitCode() != 0) {
            throw new AssertionError(name + ": ./kit " + String.join(" ", args) + " exited " + result.exitCode()
                    + "\n" + result.out() + result.err());
        }
        return result;
    }

    Path membershipFile() {
        return Membership.file(workspace);
    }

    /** The token the room gave this participant, as their laptop keeps it. */
    String token() {
        try {
            return Membership.load(membershipFile()).orElseThrow().token();
        } catch (Membership.Unreadable e) {
            throw new AssertionError(e.getMessage());
        }
    }

    Path copyOf(String labName) {
        return home.resolve("labs-work").resolve(labName);
    }

    String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

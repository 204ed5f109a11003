package dev.keysafe.workshop.shared;

import dev.keysafe.common.ExitCode;
import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The answer of a command that needs a subcommand and got none ({@code ./kit}, {@code ./kit lab},
 * {@code ./kit room}, {@code ./kit hooks}): the question, its usage, and exit 64 so a script notices.
 */
public final class WhichCommand {

    private WhichCommand() {
    }

    /** Prints {@code kit: question} and the usage of {@code spec}'s command to stderr; returns 64. */
    public static int ask(CommandSpec spec, String question) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("kit: " + question);
        spec.commandLine().usage(err);
        return ExitCode.KIT_USAGE;
    }
}

package dev.keysafe.workshop.lab;

import dev.keysafe.common.ExitCode;
import dev.keysafe.workshop.Workspace;
import dev.keysafe.workshop.lab.Lab.LabFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code ./kit lab solution [N]}: the one place a lab's solution is given. For a lab whose
 * learner edits files, the module's own file that solves it and the {@code diff} to compare; for
 * lab 01, the procedure.
 */
@Command(name = "solution", mixinStandardHelpOptions = true,
        description = {"Lab N's reference solution: the module's file that solves it (with the diff to",
            "run), or the procedure. Without N: the lab whose folder you are in, else the one you started last."})
final class SolutionCommand implements Callable<Integer> {

    private final Workspace workspace;
    @Spec
    CommandSpec spec;
    @Mixin
    LabArgument argument;

    SolutionCommand(Workspace workspace) {
        this.workspace = workspace;
    }

    @Override
    public Integer call() {
        WhichLab which = argument.which(workspace);
        Lab lab = which.lab();
        PrintWriter out = spec.commandLine().getOut();
        which.printNote(out, "solution");
        out.println("lab " + lab.id() + ": " + lab.title());
        if (lab.files().isEmpty()) {
            lab.procedure().forEach(out::println);
        } else {
            out.println("The reference passes this lab's check. Compare your copy with it:");
            Path copy = LabCommand.copyOf(workspace, lab);
            for (LabFile file : lab.files()) {
                out.println("  " + file.reference());
                out.println("    diff " + copy.resolve(file.path()) + " "
                        + workspace.catalog().root().resolve(file.reference()));
            }
            out.println("Read it after trying: the lab teaches more when you find the leak yourself.");
        }
        out.flush();
        return ExitCode.OK;
    }
}

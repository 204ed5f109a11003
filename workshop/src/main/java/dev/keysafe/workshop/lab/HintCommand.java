package dev.keysafe.workshop.lab;

import dev.keysafe.common.ExitCode;
import dev.keysafe.workshop.Workspace;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./kit lab hint [N] [--all]}: the next hint of a lab, one at a time, gentle first, and
 * how many remain. The count is kept in the learner's progress file, so the next call gives the
 * next hint; {@code --all} shows again those taken so far, never one more.
 */
@Command(name = "hint", mixinStandardHelpOptions = true,
        description = {"The next hint for lab N, one at a time, gentle first; says how many remain.",
            "Without N: the lab whose folder you are in, else the one you started last."})
final class HintCommand implements Callable<Integer> {

    private final Workspace workspace;
    private final LabEvents events;
    @Spec
    CommandSpec spec;
    @Mixin
    LabArgument argument;
    @Option(names = "--all", description = "Show again every hint taken so far (no new one).")
    boolean all;

    HintCommand(Workspace workspace, LabEvents events) {
        this.workspace = workspace;
        this.events = events;
    }

    @Override
    public Integer call() {
        WhichLab which = argument.which(workspace);
        Lab lab = which.lab();
        Progress progress = new Progress(LabCommand.home(workspace));
        int total = lab.hints().size();
        PrintWriter out = spec.commandLine().getOut();
        which.printNote(out, "hint");
        out.println("lab " + lab.id() + ": " + lab.title());
        int taken = progress.load().hintsTaken(lab.id());
        if (all) {
            if (taken == 0) {
                out.println("no hint taken yet: ./kit lab hint " + lab.id() + " gives the first of " + total + ".");
            }
            for (int i = 0; i < Math.min(taken, total); i++) {
                out.println("  hint " + (i + 1) + " of " + total + ": " + lab.hints().get(i));
            }
        } else if (taken >= total) {
            out.println("no hints left: you have taken all " + total + " (./kit lab hint " + lab.id()
                    + " --all shows them again).");
        } else {
            taken = progress.tookHint(lab.id());
            events.report(LabEvent.hint(lab, taken), spec.commandLine().getErr());
            out.println("  hint " + taken + " of " + total + ": " + lab.hints().get(taken - 1));
        }
        int left = total - Math.min(taken, total);
        out.println(left > 0 ? left + " more: ./kit lab hint " + lab.id()
                : "that was the last hint. Still stuck? Compare with the reference: ./kit lab solution " + lab.id());
        out.flush();
        return ExitCode.OK;
    }
}

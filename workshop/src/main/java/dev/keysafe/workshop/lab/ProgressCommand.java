package dev.keysafe.workshop.lab;

import dev.keysafe.common.ExitCode;
import dev.keysafe.workshop.Kit;
import dev.keysafe.workshop.Workspace;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ./kit progress}: how many labs are solved, and what is left. */
@Command(name = "progress", mixinStandardHelpOptions = true, versionProvider = Kit.Version.class,
        description = {"Shows your progress through the labs (N of M solved) and what is left.",
            "Saved locally in .keysafe/progress.json (git-ignored); delete it to start afresh."},
        footerHeading = "%nExamples:%n",
        footer = {"  ./kit progress", "", "Exit codes:", "  0   always (it only reports)"})
public final class ProgressCommand implements Callable<Integer> {

    private final Workspace workspace;

    @Spec
    CommandSpec spec;

    ProgressCommand(Workspace workspace) {
        this.workspace = workspace;
    }

    @Override
    public Integer call() {
        Progress.State state = new Progress(LabCommand.home(workspace)).load();
        List<Lab> left = Labs.LABS.stream().filter(l -> !state.passed().containsKey(l.id())).toList();
        PrintWriter out = spec.commandLine().getOut();
        int solved = Labs.LABS.size() - left.size();
        out.println("labs solved: " + solved + " of " + Labs.LABS.size());
        for (Lab lab : Labs.LABS) {
            out.println(String.format("  %s  %-12s %s", lab.id(), "[" + LabCommand.state(state, lab) + "]", lab.title()));
        }
        if (left.isEmpty()) {
            out.println("All labs solved. Next: ./kit quiz, and workshop/README.md's wrap-up.");
        } else {
            Lab next = left.get(0);
            out.println("next: ./kit lab " + (state.started().containsKey(next.id()) ? "check " : "start ") + next.id());
        }
        out.flush();
        return ExitCode.OK;
    }
}

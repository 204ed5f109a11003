package dev.keysafe.workshop.lab;

import dev.keysafe.common.ExitCode;
import dev.keysafe.workshop.Catalog;
import dev.keysafe.workshop.Kit;
import dev.keysafe.workshop.KitException;
import dev.keysafe.workshop.ModuleBuild;
import dev.keysafe.workshop.Workspace;
import dev.keysafe.workshop.lab.Lab.LabFile;
import dev.keysafe.workshop.lab.LabCheck.Problem;
import dev.keysafe.workshop.shared.WorkDir;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./kit lab ...}: the hands-on labs. Each starts from a small leaky program the learner
 * copies, fixes, and proves fixed with the same leak suite the kit's modules pass.
 */
@Command(name = "lab", mixinStandardHelpOptions = true, versionProvider = Kit.Version.class,
        usageHelpAutoWidth = true, synopsisSubcommandLabel = "COMMAND",
        subcommands = {LabCommand.ListLabs.class, LabCommand.Start.class, LabCommand.Check.class,
            LabCommand.Hint.class, LabCommand.Solution.class},
        description = {
            "Hands-on labs: fix a leaky program, then prove it with the kit's leak suite.",
            "",
            "lab start N copies lab N's starter into labs-work/ (git-ignored: yours to edit). lab check N "
                    + "compiles your copy with the JDK, runs it against a local OpenAI stub with a throwaway key, "
                    + "and lists every place the key still leaks, with a hint for each. Progress is saved in "
                    + ".keysafe/progress.json (./kit progress). Each lab's text is labs/<lab>/README.md."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  ./kit lab list          the labs and where you are",
            "  ./kit lab start 02      copy lab 02's starter into labs-work/02-logged-key/",
            "  ./kit lab check 02      is it fixed? which channels still leak?",
            "  ./kit lab hint 02       hints, none of which gives the answer away",
            "  ./kit lab solution 02   where the reference solution is",
            "",
            "Exit codes:",
            "  0   done; for check: the lab is solved",
            "  1   check: something still leaks (listed)",
            "  64  bad input: unknown lab, lab not started, or already started (start)"
        })
public final class LabCommand implements Callable<Integer> {

    /** The variable naming where labs-work/ and .keysafe/ go; default: the kit's folder. */
    static final String WORK_VARIABLE = "KEYSAFE_WORK";

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("kit: which lab command? (list, start, check, hint, solution)");
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCode.KIT_USAGE;
    }

    /** Where labs-work/ and .keysafe/ live. */
    static Path home(Workspace workspace) {
        String override = workspace.env().get(WORK_VARIABLE);
        return override == null || override.isBlank() ? workspace.catalog().root() : Path.of(override).toAbsolutePath();
    }

    static Path copyOf(Workspace workspace, Lab lab) {
        return home(workspace).resolve("labs-work").resolve(lab.name());
    }

    static String state(Progress.State state, Lab lab) {
        return state.passed().containsKey(lab.id()) ? "passed"
                : state.started().containsKey(lab.id()) ? "started" : "not started";
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The labs, and where you are in each.")
    static final class ListLabs implements Callable<Integer> {
        private final Workspace workspace;
        @Spec
        CommandSpec spec;

        ListLabs(Workspace workspace) {
            this.workspace = workspace;
        }

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Progress.State state = new Progress(home(workspace)).load();
            out.println("keysafe labs: fix a leaky program, then prove it (./kit lab start N)");
            for (Lab lab : Labs.LABS) {
                out.println(String.format("  %s  %-18s %-12s %s", lab.id(), lab.name(), "[" + state(state, lab) + "]",
                        lab.title()));
            }
            out.println("Each lab's text: labs/<lab>/README.md. Your progress: ./kit progress");
            out.flush();
            return ExitCode.OK;
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Copies lab N's starter into labs-work/ (git-ignored), yours to edit.")
    static final class Start implements Callable<Integer> {
        private final Workspace workspace;
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "N", description = "The lab: its number (01, 02...) or name.")
        String id;
        @Option(names = "--over", description = "Start over: replace your copy with a fresh starter.")
        boolean over;

        Start(Workspace workspace) {
            this.workspace = workspace;
        }

        @Override
        public Integer call() throws Exception {
            Lab lab = Labs.require(id);
            Path copy = copyOf(workspace, lab);
            if (Files.exists(copy)) {
                if (!over) {
                    throw new KitException("lab " + lab.id() + " is already started: your copy is " + copy
                            + ". Check it: ./kit lab check " + lab.id() + "; start over: ./kit lab start " + lab.id()
                            + " --over");
                }
                WorkDir.delete(copy);
            }
            Files.createDirectories(copy);
            Path starter = workspace.catalog().root().resolve("labs").resolve(lab.name()).resolve("starter");
            for (LabFile file : lab.files()) {
                Path from = starter.resolve(file.path());
                if (!Files.isRegularFile(from)) {
                    throw new KitException("the starter file " + from + " is missing from this checkout.", ExitCode.FAILED);
                }
                Path to = copy.resolve(file.path());
                Files.createDirectories(to.getParent());
                Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
            }
            if (lab.start() != null) {
                lab.start().prepare(copy);
            }
            new Progress(home(workspace)).started(lab.id());
            PrintWriter out = spec.commandLine().getOut();
            out.println("lab " + lab.id() + ": " + lab.title());
            out.println("your copy: " + copy);
            for (LabFile file : lab.files()) {
                out.println("  edit " + copy.resolve(file.path()));
            }
            out.println("read: labs/" + lab.name() + "/README.md (the scenario, what to do, why it matters)");
            out.println("then: ./kit lab check " + lab.id() + "   (stuck? ./kit lab hint " + lab.id() + ")");
            out.flush();
            return ExitCode.OK;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Runs lab N's checks on your copy: what still leaks, with a hint each.")
    static final class Check implements Callable<Integer> {
        private final Workspace workspace;
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "N", description = "The lab.")
        String id;

        Check(Workspace workspace) {
            this.workspace = workspace;
        }

        @Override
        public Integer call() throws Exception {
            Lab lab = Labs.require(id);
            Path copy = copyOf(workspace, lab);
            if (!Files.isDirectory(copy)) {
                throw new KitException("lab " + lab.id() + " is not started: ./kit lab start " + lab.id());
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("checking lab " + lab.id() + " (" + lab.title() + ") in " + copy);
            out.flush();
            List<Problem> problems = check(workspace.catalog(), lab, copy);
            if (problems.isEmpty()) {
                new Progress(home(workspace)).passed(lab.id());
                out.println("PASSED: lab " + lab.id() + " is solved. The key reached the API and nowhere else.");
                out.println("next: ./kit progress");
                out.flush();
                return ExitCode.OK;
            }
            out.println("NOT YET: " + problems.size() + " problem(s)");
            for (Problem problem : problems) {
                out.println("  - " + problem.what());
                out.println("    hint: " + problem.hint());
            }
            out.println("Fix them in your copy and check again. More hints: ./kit lab hint " + lab.id());
            out.flush();
            return ExitCode.FAILED;
        }
    }

    /** Compiles and checks {@code copy} as lab {@code lab}; the problems, or none when solved. */
    static List<Problem> check(Catalog catalog, Lab lab, Path copy) throws Exception {
        ModuleBuild build = lab.moduleId() == null ? null : catalog.build(catalog.require(lab.moduleId()));
        LabRun run = new LabRun(lab, copy, build);
        if (build != null) {
            List<Problem> compileErrors = run.compile();
            if (!compileErrors.isEmpty()) {
                return compileErrors;
            }
        }
        return LabRun.distinct(lab.check().run(run));
    }

    @Command(name = "hint", mixinStandardHelpOptions = true, description = "Hints for lab N, gentle first.")
    static final class Hint implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "N", description = "The lab.")
        String id;

        @Override
        public Integer call() {
            Lab lab = Labs.require(id);
            PrintWriter out = spec.commandLine().getOut();
            out.println("lab " + lab.id() + ": " + lab.title());
            for (int i = 0; i < lab.hints().size(); i++) {
                out.println("  " + (i + 1) + ". " + lab.hints().get(i));
            }
            out.flush();
            return ExitCode.OK;
        }
    }

    @Command(name = "solution", mixinStandardHelpOptions = true,
            description = "Where lab N's reference solution is (the kit's module that does it right).")
    static final class Solution implements Callable<Integer> {
        private final Workspace workspace;
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "N", description = "The lab.")
        String id;

        Solution(Workspace workspace) {
            this.workspace = workspace;
        }

        @Override
        public Integer call() throws IOException {
            Lab lab = Labs.require(id);
            PrintWriter out = spec.commandLine().getOut();
            out.println("lab " + lab.id() + ": " + lab.title());
            if (lab.files().isEmpty()) {
                out.println("The solution is a procedure, not a file: see \"Solution\" in labs/" + lab.name()
                        + "/README.md.");
            } else {
                out.println("The reference passes this lab's check. Compare your copy with it:");
                Path copy = copyOf(workspace, lab);
                for (LabFile file : lab.files()) {
                    out.println("  " + file.reference());
                    out.println("    diff " + copy.resolve(file.path()) + " " + file.reference());
                }
                out.println("Read it after trying: the lab teaches more when you find the leak yourself.");
            }
            out.flush();
            return ExitCode.OK;
        }
    }
}

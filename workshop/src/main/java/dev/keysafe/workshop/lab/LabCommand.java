package dev.keysafe.workshop.lab;

import dev.keysafe.common.ExitCode;
import dev.keysafe.workshop.Catalog;
import dev.keysafe.workshop.Kit;
import dev.keysafe.workshop.KitException;
import dev.keysafe.workshop.ModuleBuild;
import dev.keysafe.workshop.Workspace;
import dev.keysafe.workshop.lab.Lab.LabFile;
import dev.keysafe.workshop.lab.LabCheck.Problem;
import dev.keysafe.workshop.shared.ChannelCodes;
import dev.keysafe.workshop.shared.WhichCommand;
import dev.keysafe.workshop.shared.WorkDir;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
            HintCommand.class, SolutionCommand.class},
        description = {
            "Hands-on labs: fix a leaky program, then prove it with the kit's leak suite.",
            "",
            "lab start N copies lab N's starter into labs-work/ (git-ignored: yours to edit). lab check "
                    + "compiles your copy with the JDK, runs it against a local OpenAI stub with a throwaway key, "
                    + "and lists every place the key still leaks and what the program still gets wrong, with a hint "
                    + "for each. Without N, check, hint and solution mean the lab whose folder you are in, else the "
                    + "one you started last. Progress is saved in .keysafe/progress.json (./kit progress). Each "
                    + "lab's text is labs/<lab>/README.md."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  ./kit lab list          the labs and where you are",
            "  ./kit lab start 02      copy lab 02's starter into labs-work/02-logged-key/",
            "  ./kit lab check 02      is it fixed? which channels still leak?",
            "  ./kit lab check         the same, for the lab whose folder you are in",
            "  ./kit lab hint 02       the next hint (one at a time; --all: those taken so far)",
            "  ./kit lab solution 02   the reference solution, once you have tried",
            "",
            "Exit codes:",
            "  0   done; for check: the lab is solved",
            "  1   check: something still leaks or misbehaves (listed)",
            "  64  bad input: unknown lab, no lab named or started, lab not started,",
            "      or already started (start)"
        })
public final class LabCommand implements Callable<Integer> {

    /** The variable naming where labs-work/ and .keysafe/ go; default: the kit's folder. */
    static final String WORK_VARIABLE = "KEYSAFE_WORK";

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return WhichCommand.ask(spec, "which lab command? (list, start, check, hint, solution)");
    }

    /** Where labs-work/ and .keysafe/ live: KEYSAFE_WORK, else the kit's folder. */
    public static Path home(Workspace workspace) {
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
        private final LabEvents events;
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", arity = "0..1", paramLabel = "N", description = "The lab: its number (01, 02...) or name.")
        String id;
        @Option(names = "--over", description = "Start over: replace your copy with a fresh starter.")
        boolean over;

        Start(Workspace workspace, LabEvents events) {
            this.workspace = workspace;
            this.events = events;
        }

        @Override
        public Integer call() throws Exception {
            if (id == null) {
                Progress.State state = new Progress(home(workspace)).load();
                String next = Labs.LABS.stream().filter(l -> !state.started().containsKey(l.id())).findFirst()
                        .map(l -> " Next for you: ./kit lab start " + l.id() + ".").orElse("");
                throw new KitException("which lab? ./kit lab start N, N one of "
                        + Labs.LABS.stream().map(Lab::id).collect(Collectors.joining(", ")) + " (./kit lab list)." + next);
            }
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
            events.report(LabEvent.started(lab), spec.commandLine().getErr());
            PrintWriter out = spec.commandLine().getOut();
            out.println("lab " + lab.id() + ": " + lab.title());
            out.println("your copy: " + copy);
            for (LabFile file : lab.files()) {
                out.println("  edit " + copy.resolve(file.path()));
            }
            out.println("read: labs/" + lab.name() + "/README.md (the scenario, what to do, how it is checked)");
            out.println("then: ./kit lab check " + lab.id() + "   (stuck? ./kit lab hint " + lab.id() + ", one hint at a time)");
            out.flush();
            return ExitCode.OK;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Runs lab N's checks on your copy: what still leaks, with a hint each.",
                "Without N: the lab whose folder you are in, else the one you started last."})
    static final class Check implements Callable<Integer> {
        private final Workspace workspace;
        private final LabEvents events;
        @Spec
        CommandSpec spec;
        @Mixin
        LabArgument argument;

        Check(Workspace workspace, LabEvents events) {
            this.workspace = workspace;
            this.events = events;
        }

        @Override
        public Integer call() throws Exception {
            WhichLab which = argument.which(workspace);
            Lab lab = which.lab();
            Path copy = copyOf(workspace, lab);
            if (!Files.isDirectory(copy)) {
                throw new KitException("lab " + lab.id() + " is not started: ./kit lab start " + lab.id());
            }
            PrintWriter out = spec.commandLine().getOut();
            which.printNote(out, "check");
            out.println("checking lab " + lab.id() + " (" + lab.title() + ") in " + copy);
            out.flush();
            List<Problem> problems = check(workspace.catalog(), lab, copy);
            if (problems.isEmpty()) {
                new Progress(home(workspace)).passed(lab.id());
                events.report(LabEvent.solved(lab, copy), spec.commandLine().getErr());
                out.println("PASSED: lab " + lab.id() + " is solved. " + lab.solved());
                out.println("next: ./kit progress");
                out.flush();
                return ExitCode.OK;
            }
            StringWriter report = new StringWriter();
            PrintWriter lines = new PrintWriter(report);
            lines.println("NOT YET: " + problems.size() + " problem(s)");
            for (Problem problem : problems) {
                lines.println("  - " + problem.what());
                lines.println("    hint: " + problem.hint());
            }
            lines.flush();
            out.print(report);
            List<String> legend = ChannelCodes.legend(report.toString());
            for (int i = 0; i < legend.size(); i++) {
                out.println((i == 0 ? "codes: " : "       ") + legend.get(i));
            }
            out.println("Fix them in your copy and check again. Stuck? ./kit lab hint " + lab.id());
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
}

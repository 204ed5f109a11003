package dev.keysafe.workshop;

import dev.keysafe.common.ExitCode;
import dev.keysafe.workshop.doctor.DoctorCommand;
import dev.keysafe.workshop.drill.DrillCommand;
import dev.keysafe.workshop.lab.LabCommand;
import dev.keysafe.workshop.lab.LabEvents;
import dev.keysafe.workshop.lab.ProgressCommand;
import dev.keysafe.workshop.quiz.QuizCommand;
import dev.keysafe.workshop.room.RoomCommand;
import dev.keysafe.workshop.room.RoomReporter;
import dev.keysafe.workshop.run.RunCommand;
import dev.keysafe.workshop.scan.HooksCommand;
import dev.keysafe.workshop.scan.ScanCommand;
import dev.keysafe.workshop.shared.WhichCommand;
import dev.keysafe.workshop.tour.TourCommand;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The kit's launcher, {@code ./kit}: one command-line program whose subcommands run the modules
 * ({@code run}) and prove where each one's key goes ({@code tour}). To add a subcommand, write a
 * class like {@link RunCommand} (a constructor taking the {@link Workspace}, and the
 * {@link LabEvents} too when it reports lab progress) and list it in {@code subcommands} below.
 */
@Command(name = "kit", mixinStandardHelpOptions = true, versionProvider = Kit.Version.class,
        usageHelpAutoWidth = true, synopsisSubcommandLabel = "COMMAND",
        subcommands = {RunCommand.class, TourCommand.class, ScanCommand.class, HooksCommand.class,
            LabCommand.class, ProgressCommand.class, QuizCommand.class, DoctorCommand.class, DrillCommand.class,
            RoomCommand.class, CommandLine.HelpCommand.class},
        description = {
            "keysafe: keep OpenAI API keys safe, and prove it.",
            "Runs the kit's modules (each one way to hold a key) and shows where each one's key goes.",
            ""
        },
        commandListHeading = "%nCommands:%n",
        footerHeading = "%nExamples:%n",
        footer = {
            "  ./kit doctor             is this machine ready? (JDK, build, ports, stub)",
            "  ./kit tour               every module, offline, with its leak report",
            "  ./kit run 02 --offline   one module against the local stub: no account",
            "  OPENAI_API_KEY=... ./kit run 02 \"hi\"",
            "                           the same module with your key and the real API",
            "  ./kit run --help         the modules, and every option of run",
            "  ./kit scan               key-shaped strings in this folder and its git history",
            "  ./kit hooks install      block commits that add a key",
            "  ./kit lab list           hands-on labs: fix a leaky program, prove it",
            "  ./kit quiz               a short quiz, with the reasons",
            "  ./kit drill --auto       a key leak from push to incident report, offline",
            "  ./kit room serve         a facilitator's live board of who solved which lab",
            "",
            "Exit codes (one table for the kit and its modules):",
            "  0   done: the answer was printed, the check passed",
            "  1   a check failed (tour, lab check, doctor, drill), a key was found (scan),",
            "      or an unexpected error",
            "  2   a setting is missing or wrong (scan: a path it cannot read)",
            "  3   OpenAI refused the key (401, 403)",
            "  4   OpenAI rate-limited the call (429)",
            "  5   OpenAI could not be reached or answered badly",
            "  64  ./kit was called wrongly: no or unknown command, module or option,",
            "      or a module that is not built",
            "  ./kit run passes the module's own code through unchanged (0, 2-5).",
            "",
            "Needs a JDK 17 or newer only. ./kit builds what is missing with ./mvnw first.",
            "More: README.md (the kit), workshop/README.md (the workshop and the self-paced path),",
            "workshop/DEVELOPING.md (how ./kit works, every command's reference)."
        })
public final class Kit implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        Workspace workspace;
        try {
            workspace = Workspace.ofThisProcess();
        } catch (KitException e) {
            System.err.println("kit: " + e.getMessage());
            System.exit(e.exitCode());
            return;
        }
        System.exit(commandLine(workspace).execute(args));
    }

    /**
     * The launcher over {@code workspace}, ready to {@code execute(args)}; tests capture its output.
     * Lab progress goes to the workshop room this workspace joined, if any ({@code ./kit room join}).
     */
    public static CommandLine commandLine(Workspace workspace) {
        return commandLine(workspace, RoomReporter.of(workspace));
    }

    /** The launcher whose lab commands report their progress to {@code events}. */
    public static CommandLine commandLine(Workspace workspace, LabEvents events) {
        CommandLine commandLine = new CommandLine(new Kit(), new Factory(workspace, events));
        // Everything after the module id goes to the module, even words that look like options.
        commandLine.getSubcommands().get("run").setUnmatchedOptionsArePositionalParams(true);
        commandLine.setExecutionExceptionHandler((e, failed, parsed) -> {
            if (e instanceof KitException problem) {
                failed.getErr().println("kit: " + problem.getMessage());
                return problem.exitCode();
            }
            // Unexpected: one line, no stack trace (a trace can quote whatever a module printed).
            failed.getErr().println("kit: unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return ExitCode.FAILED;
        });
        commandLine.setParameterExceptionHandler((e, args) -> {
            CommandLine failed = e.getCommandLine();
            failed.getErr().println("kit: " + e.getMessage().strip());
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, failed.getErr())
                    && e instanceof CommandLine.UnmatchedArgumentException && !failed.getSubcommands().isEmpty()) {
                failed.getErr().println("Commands: " + String.join(", ", failed.getSubcommands().keySet()));
            }
            // The command's whole name: "./kit lab check --help", not "./kit check --help".
            failed.getErr().println("Try: ./" + failed.getCommandSpec().qualifiedName(" ") + " --help");
            return ExitCode.KIT_USAGE;
        });
        listModules(commandLine.getSubcommands().get("run"), workspace.catalog(), true);
        listModules(commandLine.getSubcommands().get("tour"), workspace.catalog(), false);
        return commandLine;
    }

    /** No command given: the usage, and exit 64 so a script notices. */
    @Override
    public Integer call() {
        return WhichCommand.ask(spec, "which command? (" + String.join(", ", spec.commandLine().getSubcommands().keySet()) + ")");
    }

    /** Appends the catalog, with each module's state (and, for run, its command words), to a subcommand's help. */
    private static void listModules(CommandLine command, Catalog catalog, boolean withCommands) {
        List<String> footer = new ArrayList<>(List.of(command.getCommandSpec().usageMessage().footer()));
        footer.add("Modules:");
        for (Module module : catalog.modules()) {
            Catalog.Status status = catalog.status(module);
            String state = switch (status.state()) {
                case BUILT -> "";
                case NOT_BUILT -> "  [not built]";
                case ABSENT -> "  [not in this checkout yet]";
            };
            footer.add("  " + module.id() + "  " + module.folder() + state);
            footer.addAll(wrap(module.lesson(), "      ", 78));
            for (Module.Command word : withCommands ? module.commands() : List.<Module.Command>of()) {
                footer.addAll(wrap("./kit run " + module.id() + " " + word.word() + " ...: " + word.summary(),
                        "      ", 78));
            }
        }
        // Footer lines are format strings: a % in a lesson must stay a %.
        command.getCommandSpec().usageMessage().footer(footer.stream().map(l -> l.replace("%", "%%")).toArray(String[]::new));
    }

    private static List<String> wrap(String text, String indent, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder(indent);
        for (String word : text.split(" ")) {
            if (line.length() > indent.length() && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line = new StringBuilder(indent);
            }
            line.append(line.length() > indent.length() ? " " : "").append(word);
        }
        lines.add(line.toString());
        return lines;
    }

    /**
     * Creates each command with the {@link Workspace} (and the {@link LabEvents}) when its
     * constructor takes them, so commands never reach for global state and tests can hand in
     * their own. This is the one place the lab commands meet the room: {@code lab} knows only
     * the {@link LabEvents} interface.
     */
    private record Factory(Workspace workspace, LabEvents events) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                Constructor<K> withEvents = type.getDeclaredConstructor(Workspace.class, LabEvents.class);
                withEvents.setAccessible(true);
                return withEvents.newInstance(workspace, events);
            } catch (NoSuchMethodException noEvents) {
                try {
                    Constructor<K> withWorkspace = type.getDeclaredConstructor(Workspace.class);
                    withWorkspace.setAccessible(true);
                    return withWorkspace.newInstance(workspace);
                } catch (NoSuchMethodException plain) {
                    return CommandLine.defaultFactory().create(type);
                }
            }
        }
    }

    /** The version Maven wrote into the launcher's jar. */
    public static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            return new String[] {"keysafe kit " + pom().getProperty("version", "(version unknown: not run from its jar)")};
        }

        /** The version alone ({@code 0.1.0-SNAPSHOT}), or {@code dev} when not run from the jar. */
        public static String number() {
            try {
                return pom().getProperty("version", "dev");
            } catch (IOException unreadable) {
                return "dev";
            }
        }

        private static Properties pom() throws IOException {
            Properties pom = new Properties();
            try (InputStream in = Kit.class.getResourceAsStream(
                    "/META-INF/maven/dev.keysafe/keysafe-workshop/pom.properties")) {
                if (in != null) {
                    pom.load(in);
                }
            }
            return pom;
        }
    }
}

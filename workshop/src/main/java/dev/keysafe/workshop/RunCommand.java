package dev.keysafe.workshop;

import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.run.ModuleLaunch;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ./kit run NN}: starts one module as its own JVM, the way a user would with {@code java},
 * in the caller's working directory and environment; or, with {@code --offline}, against a local
 * OpenAI stub with a throwaway key given to the module its own way.
 */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = Kit.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Runs one module as its own JVM and exits with its exit code.",
            "",
            "Without --offline the module runs in your working directory with your environment, unchanged: "
                    + "it reads your key its own way (02: OPENAI_API_KEY) and talks to OpenAI, or to any "
                    + "OpenAI-compatible server named by OPENAI_BASE_URL. Only the module's answer goes to stdout.",
            "",
            "With --offline the kit starts a local OpenAI stub on 127.0.0.1, makes a throwaway key the stub "
                    + "accepts, and gives it to the module the module's own way (02: in its environment; 03: in a "
                    + ".env file in a temporary working directory; 04: one key per environment). Your own OPENAI_* "
                    + "and AWS_* variables are not passed on. No account and no network are needed."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  ./kit run 02 --offline                 no account needed: the stub answers",
            "  ./kit run 02 --offline \"Why rotate keys?\"",
            "  OPENAI_API_KEY=... ./kit run 02 \"hi\"   your own key, the real API",
            "  OPENAI_BASE_URL=http://127.0.0.1:8080/v1 OPENAI_API_KEY=... ./kit run 02 hi",
            "                                         any OpenAI-compatible server",
            "  ./kit run 04 --offline --env staging   04 picks the staging key",
            "  ./kit run 02 -- --offline              after --, all goes to the module",
            "",
            "Exit codes:",
            "  n   the module's own exit code. 02-04: 0 answered, 2 a setting is missing,",
            "      3 the key was refused, 4 rate-limited, 5 upstream unreachable or failing",
            "  2   also: unknown module id, module not built, bad option (one line on stderr)",
            ""
        })
final class RunCommand implements Callable<Integer> {

    private final Workspace workspace;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODULE",
            description = "The module: its number (01, 02, ...) or its folder name. The list is below.")
    String moduleId;

    @Parameters(index = "1..*", paramLabel = "ARG",
            description = "Passed to the module unchanged: for 01-04, the question to ask "
                    + "(each has a default question).")
    List<String> moduleArgs = new ArrayList<>();

    @Option(names = "--offline",
            description = "Run against a local OpenAI stub with a throwaway key given the module's own way.")
    boolean offline;

    @Option(names = "--env", paramLabel = "ENVIRONMENT",
            description = "With --offline: the environment to select, for modules that have them "
                    + "(04: development, staging or production). Without --offline, set ENVIRONMENT yourself.")
    String environment;

    RunCommand(Workspace workspace) {
        this.workspace = workspace;
    }

    @Override
    public Integer call() {
        Catalog catalog = workspace.catalog();
        Module module = catalog.require(moduleId);
        if (environment != null && !offline) {
            throw new KitException("--env only applies with --offline; without it, set ENVIRONMENT=" + environment
                    + " in your environment.");
        }
        ModuleBuild build = catalog.build(module);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!offline) {
            // The caller's environment and directory, untouched: this is how the user would run it.
            ModuleLaunch launch = catalog.launch(build).args(moduleArgs.toArray(String[]::new));
            return ModuleProcess.run(launch, workspace.workingDir(), workspace.env(), workspace.inheritStdin(), out, err);
        }
        return runOffline(build, out, err);
    }

    private int runOffline(ModuleBuild build, PrintWriter out, PrintWriter err) {
        Module module = build.module();
        Canary key = module.keySource().key(build);
        Path workDir = createWorkDir(module);
        try (OpenAiStub stub = OpenAiStub.start();
             Offline.Context context = new Offline.Context(build, key, stub, workDir, new RunOptions(environment))) {
            stub.acceptKeys(key.value());
            ModuleLaunch launch = module.offline().launch(context).args(moduleArgs.toArray(String[]::new));
            if (!launch.env().containsKey("OPENAI_BASE_URL")) {
                launch.env("OPENAI_BASE_URL", stub.baseUrl());
            }
            err.println("kit: offline: OpenAI stub at " + stub.baseUrl() + "; module " + module.id()
                    + " gets throwaway key " + key.fingerprint() + " " + whereTheKeyIs(launch, key) + ".");
            err.flush();
            return ModuleProcess.run(launch, workDir, withoutCallerSecrets(workspace.env()),
                    workspace.inheritStdin(), out, err);
        } finally {
            TourCommand.deleteTree(workDir);
        }
    }

    /** A developer's real key must never mix into an offline run, nor reach the stub. */
    private static Map<String, String> withoutCallerSecrets(Map<String, String> env) {
        Map<String, String> kept = new HashMap<>(env);
        kept.keySet().removeIf(name -> name.startsWith("OPENAI_") || name.startsWith("AWS_"));
        return kept;
    }

    /** Names where the launch puts the key (variables, files), never its value. */
    private static String whereTheKeyIs(ModuleLaunch launch, Canary key) {
        List<String> places = new ArrayList<>();
        launch.env().forEach((name, value) -> {
            if (value.equals(key.value())) {
                places.add(name + " in its environment");
            }
        });
        launch.files().forEach((name, content) -> {
            if (content.contains(key.value())) {
                places.add(name + " in its temporary working directory");
            }
        });
        return places.isEmpty() ? "(its own, from its code)" : "in " + String.join(" and ", places);
    }

    private static Path createWorkDir(Module module) {
        try {
            return Files.createTempDirectory("keysafe-run-" + module.id() + "-");
        } catch (IOException e) {
            throw new KitException("cannot create a temporary directory: " + e.getMessage(), 1);
        }
    }
}

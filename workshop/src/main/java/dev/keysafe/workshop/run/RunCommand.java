package dev.keysafe.workshop.run;

import dev.keysafe.common.ExitCode;
import dev.keysafe.common.Fingerprint;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.run.ModuleLaunch;
import dev.keysafe.testkit.stub.OpenAiStub;
import dev.keysafe.workshop.Catalog;
import dev.keysafe.workshop.Kit;
import dev.keysafe.workshop.KitException;
import dev.keysafe.workshop.Module;
import dev.keysafe.workshop.ModuleBuild;
import dev.keysafe.workshop.Offline;
import dev.keysafe.workshop.RunOptions;
import dev.keysafe.workshop.Server;
import dev.keysafe.workshop.Workspace;
import dev.keysafe.workshop.shared.CallerEnvironment;
import dev.keysafe.workshop.shared.ServerProcess;
import dev.keysafe.workshop.shared.WorkDir;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Stack;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.IParameterConsumer;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./kit run NN}: starts one module as its own JVM, the way a user would with {@code java},
 * in the caller's working directory and environment; or, with {@code --offline}, against a local
 * OpenAI stub with a throwaway key given to the module its own way. A server module (06) offline
 * keeps running, with a demo set up, until Ctrl-C; {@code ./kit run 06 token ...} runs its
 * token command instead of the server.
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
                    + ".env file in a temporary working directory; 04: one key per environment; 05: in a secret of a "
                    + "local Secrets Manager emulator, rotated while it runs with rotate-demo; 06: the server's "
                    + "key in its environment). Your own OPENAI_*, AWS_* and PROXY_* variables are not passed on. "
                    + "No account and no network are needed.",
            "",
            "06 is a server: offline, the kit starts it on 127.0.0.1:7070 (--port to change), issues a demo "
                    + "client token, prints the chat page, the admin page and both tokens, and keeps it running "
                    + "until Ctrl-C (or --for-seconds). ./kit run 06 token create|list|revoke talks to a running "
                    + "proxy (PROXY_URL, PROXY_ADMIN_TOKEN); everything after 'token' goes to it."
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
            "  ./kit run 05 --offline rotate-demo     asks in a loop while the kit rotates the key",
            "  ./kit run 06 --offline                 the proxy and the stub: open the chat page",
            "  ./kit run 06 --offline --port 0        the same on any free port",
            "  PROXY_ADMIN_TOKEN=... ./kit run 06 token list",
            "                                         the client tokens of a running proxy",
            "",
            "Exit codes:",
            "  n   the module's own exit code. 02-05: 0 answered, 2 a setting is missing",
            "      (the kit then suggests --offline),",
            "      3 the key was refused, 4 rate-limited, 5 upstream unreachable or failing",
            "      06 token: 0 done, 2 usage or setting, 3 admin token refused,",
            "      5 proxy unreachable. 06 --offline: 0 after --for-seconds, else the",
            "      proxy's own exit code",
            "  64  the kit's own: unknown module id, module not built, bad option (one line on stderr)",
            ""
        })
public final class RunCommand implements Callable<Integer> {

    private final Workspace workspace;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODULE",
            description = "The module: its number (01, 02, ...) or its folder name. The list is below.")
    String moduleId;

    @Parameters(index = "1..*", paramLabel = "ARG", parameterConsumer = ModuleArgs.class,
            description = "Passed to the module unchanged: for 01-05, the question to ask "
                    + "(each has a default question); 05 also takes rotate-demo [SECONDS]. For 06: token and "
                    + "the token command's arguments.")
    List<String> moduleArgs = new ArrayList<>();

    @Option(names = "--offline",
            description = "Run against a local OpenAI stub with a throwaway key given the module's own way.")
    boolean offline;

    @Option(names = "--env", paramLabel = "ENVIRONMENT",
            description = "With --offline: the environment to select, for modules that have them "
                    + "(04: development, staging or production). Without --offline, set ENVIRONMENT yourself.")
    String environment;

    @Option(names = "--port", paramLabel = "N",
            description = "With --offline, for a server module (06): the port it listens on, on 127.0.0.1 "
                    + "(default 7070; 0: any free port).")
    Integer port;

    @Option(names = "--for-seconds", paramLabel = "N",
            description = "With --offline, for a server module (06): stop it and the stub N seconds after it is "
                    + "ready (default: keep running until Ctrl-C).")
    Integer forSeconds;

    /** How long a server may take to say it is ready. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

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
        checkServerOptions(module);
        Optional<Module.Command> command = moduleArgs.isEmpty() ? Optional.empty() : module.command(moduleArgs.get(0));
        if (command.isPresent() && offline && !command.get().runsOffline()) {
            throw new KitException("'" + command.get().word() + "' talks to a proxy that is already running, so it has"
                    + " no --offline: start one with ./kit run " + module.id() + " --offline, then use the line it"
                    + " prints (PROXY_URL=... PROXY_ADMIN_TOKEN=... ./kit run " + module.id() + " "
                    + command.get().word() + " list) in another terminal.");
        }
        ModuleBuild build = catalog.build(module);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // One of the module's other programs gets everything after its word.
        List<String> args = command.isPresent() ? moduleArgs.subList(1, moduleArgs.size()) : moduleArgs;
        if (!offline) {
            // The caller's environment and directory, untouched: this is how the user would run it.
            ModuleLaunch launch = command.isPresent()
                    ? ModuleLaunch.of(command.get().mainClass()).classpath(build.classpath())
                    : catalog.launch(build);
            launch.args(args.toArray(String[]::new));
            int exitCode = ModuleProcess.run(launch, workspace.workingDir(), workspace.env(), workspace.inheritStdin(),
                    out, err);
            if (exitCode == ExitCode.CONFIG && command.map(Module.Command::runsOffline).orElse(true)) {
                // Most often no key is set yet: the same module runs with none, against the stub.
                err.println("kit: no key at hand? Try it without an account: ./kit run " + module.id() + " --offline"
                        + command.map(c -> " " + c.word()).orElse(""));
                err.flush();
            }
            return exitCode;
        }
        if (module.isServer()) {
            return runServerOffline(build, out, err);
        }
        return runOffline(build, command.map(Module.Command::offline).orElse(module.offline()), args, out, err);
    }

    private void checkServerOptions(Module module) {
        if (port == null && forSeconds == null) {
            return;
        }
        String option = port != null ? "--port" : "--for-seconds";
        if (!module.isServer()) {
            throw new KitException(option + " applies only to a server module (06); module " + module.id()
                    + " answers once and exits.");
        }
        if (!offline) {
            throw new KitException(option + " only applies with --offline"
                    + (port != null ? "; without it, set PORT=" + port + " in your environment." : "."));
        }
        if (port != null && (port < 0 || port > 65535)) {
            throw new KitException("--port must be 0 to 65535 (0: any free port), not " + port + ".");
        }
        if (forSeconds != null && forSeconds < 1) {
            throw new KitException("--for-seconds must be 1 or more, not " + forSeconds + ".");
        }
    }

    /** A program that answers once, offline: {@code setup} gives it the run's key, and it gets {@code args}. */
    private int runOffline(ModuleBuild build, Offline setup, List<String> args, PrintWriter out, PrintWriter err) {
        Module module = build.module();
        Canary key = module.keySource().key(build);
        Path workDir = WorkDir.create("keysafe-run-" + module.id() + "-");
        try (OpenAiStub stub = OpenAiStub.start();
             Offline.Context context = new Offline.Context(build, key, stub, workDir, new RunOptions(environment, port))) {
            stub.acceptKeys(key.value());
            ModuleLaunch launch = setup.launch(context).args(args.toArray(String[]::new));
            if (!launch.env().containsKey("OPENAI_BASE_URL")) {
                launch.env("OPENAI_BASE_URL", stub.baseUrl());
            }
            err.println("kit: offline: OpenAI stub at " + stub.baseUrl() + "; module " + module.id()
                    + " gets throwaway key " + Fingerprint.of(key.value()) + " " + whereTheKeyIs(launch, key, context) + ".");
            err.flush();
            return ModuleProcess.run(launch, workDir, CallerEnvironment.withoutSecrets(workspace.env()),
                    workspace.inheritStdin(), out, err);
        } finally {
            WorkDir.delete(workDir);
        }
    }

    /**
     * A server module offline: the stub, the server against it, then the module's demo set-up
     * (06: a client token) and what to tell the user; then it runs until Ctrl-C, or for
     * {@code --for-seconds} after it is ready. Server and stub stop either way.
     */
    private int runServerOffline(ModuleBuild build, PrintWriter out, PrintWriter err) {
        Module module = build.module();
        Canary key = module.keySource().key(build);
        Path workDir = WorkDir.create("keysafe-run-" + module.id() + "-");
        OpenAiStub stub = OpenAiStub.start();
        Offline.Context context = new Offline.Context(build, key, stub, workDir, new RunOptions(environment, port));
        ServerProcess[] server = new ServerProcess[1];
        AtomicBoolean stopped = new AtomicBoolean();
        // Ctrl-C is how a user ends this run, and it skips finally blocks: a hook stops everything.
        Runnable stopAll = () -> {
            if (stopped.compareAndSet(false, true)) {
                if (server[0] != null) {
                    server[0].close();
                }
                context.close();
                stub.close();
                WorkDir.delete(workDir);
                err.println("kit: stopped module " + module.id() + " and the OpenAI stub.");
                err.flush();
            }
        };
        Thread onCtrlC = new Thread(stopAll, "stop-offline-run");
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        try {
            stub.acceptKeys(key.value());
            ModuleLaunch launch = module.offline().launch(context).args(moduleArgs.toArray(String[]::new));
            if (!launch.env().containsKey("OPENAI_BASE_URL")) {
                launch.env("OPENAI_BASE_URL", stub.baseUrl());
            }
            err.println("kit: offline: OpenAI stub at " + stub.baseUrl() + "; module " + module.id()
                    + " gets throwaway key " + Fingerprint.of(key.value()) + " " + whereTheKeyIs(launch, key, context) + ".");
            err.flush();
            server[0] = ServerProcess.start(launch, workDir, CallerEnvironment.withoutSecrets(workspace.env()),
                    module.server().readyLine(), out, err);
            Optional<String> url = server[0].awaitReady(READY_TIMEOUT);
            if (url.isEmpty()) {
                int exitCode = server[0].waitForExit();
                err.println("kit: module " + module.id() + " stopped before it was ready (exit " + exitCode + ")."
                        + " With --offline the kit sets its PORT: --port N picks another, --port 0 any free one.");
                return exitCode == 0 ? ExitCode.FAILED : exitCode;
            }
            String welcome = module.server().welcome(new Server.Session(url.get(), context, launch));
            out.println();
            out.println(welcome);
            out.flush();
            if (forSeconds == null) {
                return server[0].waitForExit();
            }
            return server[0].waitFor(Duration.ofSeconds(forSeconds)) ? server[0].exitCode() : ExitCode.OK;
        } catch (IOException e) {
            throw new KitException("module " + module.id() + " started, but the demo could not be set up: "
                    + e.getMessage(), ExitCode.FAILED);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KitException("interrupted while module " + module.id() + " was running", 130);
        } finally {
            stopAll.run();
            try {
                Runtime.getRuntime().removeShutdownHook(onCtrlC);
            } catch (IllegalStateException shuttingDown) {
                // the hook has run, or runs now: stopAll does its work once
            }
        }
    }

    /** Names where the launch puts the key (variables, files), never its value. */
    private static String whereTheKeyIs(ModuleLaunch launch, Canary key, Offline.Context context) {
        List<String> places = new ArrayList<>();
        if (context.keyIs() != null) {
            places.add(context.keyIs());
        }
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

    /**
     * The module's arguments: one at a time, so kit options may still follow the module id; but
     * after the word of a command that talks to something already running (06: {@code token}) all
     * the rest, {@code --help} included, belongs to that command.
     */
    static final class ModuleArgs implements IParameterConsumer {
        @Override
        public void consumeParameters(Stack<String> args, ArgSpec argSpec, CommandSpec commandSpec) {
            List<String> values = argSpec.getValue();
            if (values == null) {
                values = new ArrayList<>();
                argSpec.setValue(values);
            }
            boolean first = values.isEmpty();
            String next = args.pop();
            values.add(next);
            RunCommand run = commandSpec.commandLine().getCommand();
            if (first && run.moduleId != null && run.workspace.catalog().find(run.moduleId)
                    .flatMap(module -> module.command(next)).filter(command -> !command.runsOffline()).isPresent()) {
                while (!args.isEmpty()) {
                    values.add(args.pop());
                }
            }
        }
    }
}

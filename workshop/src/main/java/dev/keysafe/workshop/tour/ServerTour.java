package dev.keysafe.workshop.tour;

import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.leaks.Finding;
import dev.keysafe.testkit.run.ModuleLaunch;
import dev.keysafe.testkit.run.ModuleRunner;
import dev.keysafe.testkit.stub.OpenAiStub;
import dev.keysafe.workshop.Module;
import dev.keysafe.workshop.ModuleBuild;
import dev.keysafe.workshop.Offline;
import dev.keysafe.workshop.Server;
import dev.keysafe.workshop.shared.CallerEnvironment;
import dev.keysafe.workshop.shared.ClientBodies;
import dev.keysafe.workshop.shared.ErrorLine;
import dev.keysafe.workshop.shared.FilesWritten;
import dev.keysafe.workshop.shared.ServerProcess;
import dev.keysafe.workshop.shared.WorkDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tour of a server module (06): started as its own JVM with every logger at TRACE, driven by
 * its {@link Server} as its clients would (06: openai-java with a client token, plain and
 * streamed, a wrong token, a server key refused upstream), stopped, then searched: what it printed
 * and logged, its command line and the files it wrote; every response body its clients received;
 * and what reached the upstream (only its own key may).
 */
final class ServerTour {

    private ServerTour() {
    }

    /** Tours {@code build}'s server with {@code key}, adding what it saw to {@code report}. */
    static void run(ModuleBuild build, Canary key, OpenAiStub stub, Map<String, String> callerEnv, Report report) {
        Module module = build.module();
        Path workDir = WorkDir.create("keysafe-tour-" + module.id() + "-");
        List<String> problems = new ArrayList<>();
        Server.Drive drive = new Server.Drive(List.of(), List.of(), List.of());
        ServerProcess server = null;
        try (Offline.Context context = new Offline.Context(build, key, stub, workDir, module.tourOptions())) {
            stub.reset();
            stub.acceptKeys(key.value());
            Path tmp = Files.createDirectories(workDir.resolve(".tmp"));
            String trace = ".keysafe/" + ModuleRunner.TRACE_LOGBACK;
            ModuleLaunch launch = module.offline().launch(context)
                    .file(trace, ModuleRunner.traceLogbackConfig())
                    // Quick start-up, crash files and temp files where the scan looks, every logger at TRACE.
                    .jvmArgs("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:ErrorFile=" + workDir.resolve("hs_err_pid%p.log"),
                            "-Djava.io.tmpdir=" + tmp, "-Dlogback.configurationFile=" + workDir.resolve(trace));
            if (!launch.env().containsKey("OPENAI_BASE_URL")) {
                launch.env("OPENAI_BASE_URL", stub.baseUrl());
            }
            server = ServerProcess.start(launch, workDir, CallerEnvironment.withoutSecrets(callerEnv),
                    module.server().readyLine(), null, null);
            Optional<String> url = server.awaitReady(Duration.ofSeconds(60));
            if (url.isPresent()) {
                drive = module.server().drive(new Server.Session(url.get(), context, launch));
            }
            server.close();
            if (url.isPresent()) {
                report.did.add("started: " + readyLine(module, server.stdout()));
            } else {
                problems.add("it stopped before it was ready (exit " + server.exitCode() + "): "
                        + ErrorLine.in(server.stderr()));
            }
            report.did.addAll(drive.did());
            problems.addAll(drive.problems());

            List<Finding> output = output(key, server, workDir, launch);
            List<Finding> received = ClientBodies.findings(key, drive.received());
            List<Finding> upstream = upstream(key, stub);
            if (stub.journal().stream().noneMatch(entry -> entry.bearer().equals(key.value()))) {
                problems.add("its key never reached the stub");
            }
            StaticPlaces.search(module, build.dir(), report);
            report.place("the server's output (stdout, logs at TRACE, command line, files)", output, true);
            report.place("what its clients received (answers, stream, errors)", received, true);
            report.place("requests upstream (only the server's key)", upstream, true);
        } catch (IOException e) {
            problems.add("cannot prepare its working directory: " + e.getMessage());
        } finally {
            if (server != null) {
                server.close();
            }
            WorkDir.delete(workDir);
        }
        Redactor redactor = new Redactor(report.keys);
        report.did.replaceAll(redactor::redact);
        problems.stream().map(redactor::redact).forEach(report.problems::add);
        report.judgeLeaks();
    }

    /** What the server printed and logged, its command line, and the files it wrote. */
    private static List<Finding> output(Canary key, ServerProcess server, Path workDir, ModuleLaunch launch)
            throws IOException {
        List<Finding> output = new ArrayList<>();
        output.addAll(Detectors.inText(key, Channel.C7, "server stdout", server.stdout()));
        output.addAll(Detectors.inText(key, Channel.C7, "server stderr, logs at TRACE", server.stderr()));
        output.addAll(Detectors.inCommandLine(key, server.commandLine()));
        output.addAll(FilesWritten.findings(key, workDir, launch));
        return output;
    }

    /** Requests that reached the upstream with anything but the server's key, or went to another host. */
    private static List<Finding> upstream(Canary key, OpenAiStub stub) {
        List<Finding> upstream = new ArrayList<>();
        for (OpenAiStub.JournalEntry entry : stub.journal()) {
            if (!entry.bearer().equals(key.value())) {
                upstream.add(new Finding(Channel.C21, "upstream " + entry.method() + " " + entry.path(),
                        entry.bearer().isEmpty() ? "no key at all" : "a key or token other than the server's key"));
            }
        }
        for (OpenAiStub.JournalEntry entry : stub.journalElsewhere()) {
            upstream.add(new Finding(Channel.C10, "another host " + entry.method() + " " + entry.path(),
                    entry.bearer().isEmpty() ? "a request" : "a request with a bearer"));
        }
        return upstream;
    }

    /** The server's ready line, as it printed it. */
    private static String readyLine(Module module, String stdout) {
        return stdout.lines().filter(line -> module.server().readyLine().matcher(line).find()).findFirst()
                .orElse("(its ready line)");
    }
}

package dev.keysafe.workshop.lab;

import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.leaks.Finding;
import dev.keysafe.testkit.run.ModuleLaunch;
import dev.keysafe.testkit.run.ModuleRunner;
import dev.keysafe.testkit.stub.OpenAiStub;
import dev.keysafe.workshop.Module;
import dev.keysafe.workshop.Offline;
import dev.keysafe.workshop.RunOptions;
import dev.keysafe.workshop.Server;
import dev.keysafe.workshop.lab.LabCheck.Problem;
import dev.keysafe.workshop.shared.CallerEnvironment;
import dev.keysafe.workshop.shared.ChannelCodes;
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
import java.util.Optional;

/**
 * The check of a lab whose program is a server (06's proxy): the learner's copy is started the
 * way the tour starts the module (its own JVM, every logger at TRACE, 127.0.0.1 and a free port,
 * the server's key from a fresh throwaway), driven by the module's {@link Server} as its clients
 * would drive it, stopped, and searched: what it printed, logged and wrote; every body its clients
 * received (C1); and the stub's journal, where only the server's key may appear (C21).
 */
final class ServerLabCheck {

    private ServerLabCheck() {
    }

    static List<Problem> run(LabRun run) throws IOException {
        Module module = run.build().module();
        Server server = module.server();
        Canary key = Canary.fresh();
        Path workDir = Files.createTempDirectory("keysafe-lab-" + run.lab().id() + "-");
        List<Problem> problems = new ArrayList<>();
        try (OpenAiStub stub = OpenAiStub.start();
             Offline.Context context = new Offline.Context(run.build(), key, stub, workDir, new RunOptions(null, 0))) {
            stub.acceptKeys(key.value());
            Path tmp = Files.createDirectories(workDir.resolve(".tmp"));
            String trace = ".keysafe/" + ModuleRunner.TRACE_LOGBACK;
            ModuleLaunch launch = module.offline().launch(context).classpath(run.classpath())
                    .file(trace, ModuleRunner.traceLogbackConfig())
                    .env("OPENAI_BASE_URL", stub.baseUrl())
                    // As the tour: quick start-up, temp files where the scan looks, every logger at TRACE.
                    .jvmArgs("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                            "-XX:ErrorFile=" + workDir.resolve("hs_err_pid%p.log"), "-Djava.io.tmpdir=" + tmp,
                            "-Dlogback.configurationFile=" + workDir.resolve(trace));
            Server.Drive drive;
            String stdout;
            String stderr;
            List<String> commandLine;
            try (ServerProcess process = ServerProcess.start(launch, workDir,
                    // As the other labs' runs: the learner's environment, without any real key in it.
                    CallerEnvironment.withoutSecrets(System.getenv()), server.readyLine(), null, null)) {
                Optional<String> url = process.awaitReady(Duration.ofSeconds(60));
                if (url.isEmpty()) {
                    // Its output ended before the process did: wait for it, so its exit code is known.
                    process.close();
                    problems.add(new Problem("the server stopped before it was ready (exit " + process.exitCode()
                            + "): " + ErrorLine.in(process.stderr()),
                            "keep it starting: run it with ./kit run " + module.id() + " --offline to see why"));
                    return problems;
                }
                drive = server.drive(new Server.Session(url.get(), context, launch));
                process.close();
                stdout = process.stdout();
                stderr = process.stderr();
                commandLine = process.commandLine();
            }
            // What went upstream first: while a client's token goes to OpenAI instead of the server's
            // key, OpenAI refuses it, and every call fails because of that, not because of the fix.
            List<OpenAiStub.JournalEntry> journal = stub.journal();
            long foreign = journal.stream().filter(entry -> !entry.bearer().equals(key.value())).count();
            if (foreign > 0) {
                problems.add(new Problem("C21 requests upstream: " + foreign + " of " + journal.size()
                        + " carried a credential other than the server's key (a client's token)",
                        "the server's key is the only credential a request to OpenAI may carry: which client"
                                + " headers does the proxy pass upstream, and which one wins?"));
            }
            if (journal.stream().noneMatch(entry -> entry.bearer().equals(key.value()))) {
                problems.add(new Problem("the server's key never reached the OpenAI stub", foreign > 0
                        ? "the client's token took its place (the C21 problem above)"
                        : "the proxy must still call OpenAI with the key it was given"));
            }
            for (String problem : drive.problems()) {
                problems.add(new Problem(problem, foreign > 0
                        ? "this follows from the C21 problem above: OpenAI refused the client's token it was sent"
                                + " instead of the server's key, so the proxy answered 502"
                        : "keep the proxy working: answers and streams must still come through"));
            }
            List<Finding> findings = new ArrayList<>();
            findings.addAll(Detectors.inText(key, Channel.C7, "server stdout", stdout));
            findings.addAll(Detectors.inText(key, Channel.C7, "server stderr, logs at TRACE", stderr));
            findings.addAll(Detectors.inCommandLine(key, commandLine));
            findings.addAll(FilesWritten.findings(key, workDir, launch));
            findings.addAll(ClientBodies.findings(key, drive.received()));
            for (Finding finding : findings) {
                problems.add(new Problem(ChannelCodes.line(finding), LabRun.hintFor(finding, true)));
            }
            if (drive.received().stream().anyMatch(LoggedKeyCheck::quotesUpstream)) {
                problems.add(new Problem("a client received OpenAI's own error text",
                        "an upstream error is not the client's to read, even with the key scrubbed out: answer"
                                + " with the proxy's own message"));
            }
            return problems;
        } finally {
            WorkDir.delete(workDir);
        }
    }
}

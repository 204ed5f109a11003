package dev.keysafe.workshop.doctor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.common.ExitCode;
import dev.keysafe.common.Json;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.stub.OpenAiStub;
import dev.keysafe.workshop.Catalog;
import dev.keysafe.workshop.Kit;
import dev.keysafe.workshop.KitException;
import dev.keysafe.workshop.Module;
import dev.keysafe.workshop.Workspace;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import javax.tools.ToolProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code ./kit doctor}: the setup check before a workshop. Each line is one thing the kit needs,
 * ok or what to do about it.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true, versionProvider = Kit.Version.class,
        usageHelpAutoWidth = true,
        description = {"Checks that this machine is ready for the workshop: a JDK 17+ with its compiler, the"
                + " modules built, a free port on 127.0.0.1, and the offline OpenAI stub answering. No network"
                + " and no OpenAI account are needed."},
        footerHeading = "%nExamples:%n",
        footer = {"  ./kit doctor", "", "Exit codes:", "  0   ready", "  1   something is missing (the line says what to do)"})
public final class DoctorCommand implements Callable<Integer> {

    private final Workspace workspace;

    @Spec
    CommandSpec spec;

    DoctorCommand(Workspace workspace) {
        this.workspace = workspace;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<String> problems = new ArrayList<>();
        out.println("keysafe doctor: " + workspace.catalog().root());

        int feature = Runtime.version().feature();
        if (feature < 17) {
            problems.add("java");
            line(out, false, "java", "Java " + Runtime.version() + ": keysafe needs 17 or newer. Install a JDK 17+ and set JAVA_HOME.");
        } else if (ToolProvider.getSystemJavaCompiler() == null) {
            problems.add("javac");
            line(out, false, "java", "Java " + Runtime.version() + " has no compiler (a JRE): the labs need a JDK. Install a JDK 17+.");
        } else {
            line(out, true, "java", "JDK " + Runtime.version() + " (" + System.getProperty("java.vendor", "?") + "), with javac");
        }

        for (Module module : workspace.catalog().modules()) {
            Catalog.Status status = workspace.catalog().status(module);
            switch (status.state()) {
                case BUILT -> line(out, true, "module " + module.id(), module.folder() + " built");
                case ABSENT -> line(out, true, "module " + module.id(), module.folder() + " not in this checkout (skipped)");
                case NOT_BUILT -> {
                    problems.add(module.id());
                    line(out, false, "module " + module.id(), status.reason() + ": run ./mvnw -q -DskipTests package");
                }
            }
        }

        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            line(out, true, "loopback", "127.0.0.1 port " + socket.getLocalPort() + " free for the stub and servers");
        } catch (IOException e) {
            problems.add("loopback");
            line(out, false, "loopback", "cannot listen on 127.0.0.1 (" + e.getMessage() + "): check local firewall rules");
        }

        try (OpenAiStub stub = OpenAiStub.start()) {
            Canary key = Canary.fresh();
            stub.acceptKeys(key.value());
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(stub.baseUrl() + "/chat/completions"))
                    .timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + key.value()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Json.write(hi())))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() == 200 && answer.body().contains(OpenAiStub.ANSWER)) {
                line(out, true, "stub", "the offline OpenAI stub answers at " + stub.baseUrl());
            } else {
                problems.add("stub");
                line(out, false, "stub", "the offline stub answered HTTP " + answer.statusCode() + ": rebuild with ./mvnw -q -DskipTests package");
            }
        } catch (IOException | RuntimeException e) {
            problems.add("stub");
            line(out, false, "stub", "the offline stub did not start (" + e.getClass().getSimpleName() + "): check that 127.0.0.1 is usable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KitException("interrupted", 130);
        }

        if (problems.isEmpty()) {
            out.println("ready: start with ./kit tour, then ./kit lab list");
            out.flush();
            return ExitCode.OK;
        }
        out.println("NOT READY: fix the lines marked FIX above, then run ./kit doctor again");
        out.flush();
        return ExitCode.FAILED;
    }

    /** The smallest chat request: one "hi" to the stub's model. */
    private static ObjectNode hi() {
        ObjectNode hi = Json.object().put("model", OpenAiStub.MODEL);
        hi.putArray("messages").addObject().put("role", "user").put("content", "hi");
        return hi;
    }

    private static void line(PrintWriter out, boolean ok, String what, String detail) {
        out.println(String.format("%-5s %-10s %s", ok ? "ok" : "FIX", what, detail));
        out.flush();
    }
}

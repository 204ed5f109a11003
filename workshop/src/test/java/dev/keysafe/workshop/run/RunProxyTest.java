package dev.keysafe.workshop.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.common.ExitCode;
import dev.keysafe.common.Json;
import dev.keysafe.testkit.stub.OpenAiStub;
import dev.keysafe.workshop.Catalog;
import dev.keysafe.workshop.Fixtures;
import dev.keysafe.workshop.Fixtures.Result;
import dev.keysafe.workshop.Kit;
import dev.keysafe.workshop.Workspace;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import picocli.CommandLine;

/** {@code ./kit run 06}: the proxy offline with a demo token, and its token command passed through. */
@Execution(ExecutionMode.CONCURRENT)
class RunProxyTest {

    private static final Pattern ANY_CANARY = Pattern.compile("sk-proj-[A-Za-z0-9]{20,}");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void run_06_offline_prints_the_pages_and_a_demo_token_that_answers_through_the_proxy_then_stops_it(
            @TempDir Path callerDir) throws Exception {
        Catalog catalog = Fixtures.catalog();
        Fixtures.assumeBuilt(catalog, "06");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine kit = Kit.commandLine(Fixtures.workspace(catalog, Fixtures.env(), callerDir));
        kit.setOut(new PrintWriter(out, true));
        kit.setErr(new PrintWriter(err, true));

        // Bounded: it serves for a while after it is ready, which is when the test calls it. The window is what
        // the two calls get: a cold proxy JVM's first answer on a busy machine can take seconds, so it is wide.
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(
                () -> kit.execute("run", "06", "--offline", "--port", "0", "--for-seconds", "20"),
                task -> new Thread(task, "kit-run-06").start());
        String printed = awaitLine(out, "(Both tokens are throwaways", run);
        String url = find(printed, "chat page +(http://127\\.0\\.0\\.1:\\d+)/");
        String token = find(printed, "demo client token +(ksp-\\S+)");
        String admin = find(printed, "admin token +(\\S+)");

        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(hi())))
                .build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> tokens = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/admin/tokens"))
                .header("Authorization", "Bearer " + admin).build(), HttpResponse.BodyHandlers.ofString());
        int exitCode = run.get(60, TimeUnit.SECONDS);

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains(OpenAiStub.ANSWER);
        assertThat(tokens.statusCode()).isEqualTo(200);
        assertThat(tokens.body()).contains("\"name\":\"demo\"", "gpt-4o-mini");
        assertThat(printed).contains("keysafe proxy listening on " + url + "/ (upstream http://127.0.0.1:",
                "admin page         " + url + "/admin", "Ctrl-C stops the proxy and the stub");
        assertThat(exitCode).as("exit code; stderr: %s", err).isZero();
        assertThat(err.toString()).contains("kit: offline: OpenAI stub at http://127.0.0.1:",
                "OPENAI_API_KEY in its environment", "kit: stopped module 06 and the OpenAI stub.");
        // The client token and the admin token are printed on purpose; the OpenAI key never is.
        assertThat(ANY_CANARY.matcher(out + "" + err).find()).as("a key in the output").isFalse();
        // Stopped with the run: nothing listens there any more.
        assertThatThrownBy(() -> HTTP.send(HttpRequest.newBuilder(URI.create(url + "/health")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    }

    @Test
    void run_06_token_passes_every_argument_to_the_token_command_help_included(@TempDir Path callerDir) {
        Catalog catalog = Fixtures.catalog();
        Fixtures.assumeBuilt(catalog, "06");
        Workspace caller = Fixtures.workspace(catalog, Fixtures.env("PROXY_ADMIN_TOKEN", "admin-" + "x".repeat(30),
                "PROXY_URL", "http://127.0.0.1:1"), callerDir);

        Result help = Fixtures.kit(caller, "run", "06", "token", "--help");
        Result list = Fixtures.kit(caller, "run", "06", "token", "list");

        // TokenCommand's own usage, not the kit's help: --help went to it.
        assertThat(help.exitCode()).isEqualTo(2);
        assertThat(help.err()).startsWith("usage: TokenCommand create --name NAME");
        assertThat(help.out()).doesNotContain("Usage: kit");
        // The caller's PROXY_URL reached it: nothing listens on port 1, so exit 5 with its own message.
        assertThat(list.exitCode()).isEqualTo(5);
        assertThat(list.err()).contains("The proxy could not be reached at PROXY_URL");
    }

    @Test
    void run_06_token_with_offline_is_refused_saying_how_to_start_a_proxy(@TempDir Path callerDir) {
        Result result = Fixtures.kit(Fixtures.workspace(Fixtures.catalog(), Fixtures.env(), callerDir),
                "run", "06", "--offline", "token", "list");

        assertThat(result.exitCode()).isEqualTo(ExitCode.KIT_USAGE);
        assertThat(result.err()).contains("'token' talks to a proxy that is already running",
                "./kit run 06 --offline").hasLineCount(1);
    }

    @Test
    void port_and_for_seconds_are_refused_for_a_module_that_is_not_a_server_or_without_offline(
            @TempDir Path callerDir) {
        Workspace caller = Fixtures.workspace(Fixtures.catalog(), Fixtures.env(), callerDir);

        Result notAServer = Fixtures.kit(caller, "run", "02", "--offline", "--port", "0");
        Result notOffline = Fixtures.kit(caller, "run", "06", "--port", "8080");

        assertThat(notAServer.exitCode()).isEqualTo(ExitCode.KIT_USAGE);
        assertThat(notAServer.err()).contains("--port applies only to a server module (06)").hasLineCount(1);
        assertThat(notOffline.exitCode()).isEqualTo(ExitCode.KIT_USAGE);
        assertThat(notOffline.err()).contains("--port only applies with --offline", "PORT=8080").hasLineCount(1);
    }

    /** The smallest chat request: one "hi" to the demo token's model. */
    private static ObjectNode hi() {
        ObjectNode hi = Json.object().put("model", "gpt-4o-mini");
        hi.putArray("messages").addObject().put("role", "user").put("content", "hi");
        return hi;
    }

    /** Waits until {@code out} holds {@code marker} (or the run ends), and returns what it holds. */
    private static String awaitLine(StringWriter out, String marker, CompletableFuture<Integer> run)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!out.toString().contains(marker)) {
            assertThat(run).as("the run ended before printing %s:%n%s", marker, out).isNotDone();
            assertThat(System.nanoTime()).as("waiting for %s", marker).isLessThan(deadline);
            Thread.sleep(50);
        }
        return out.toString();
    }

    private static String find(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertThat(matcher.find()).as("%s in:%n%s", regex, text).isTrue();
        return matcher.group(1);
    }
}

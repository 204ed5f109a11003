package dev.keysafe.workshop.drill;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keysafe.common.Json;
import dev.keysafe.testkit.secrets.KeyRotation;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of the drill: its cast (the OpenAI stub as the account, the Secrets Manager emulator,
 * the team's proxy and its service), its scratch repositories, what the steps have learned so far
 * (the keys, the counts), and each outcome, reached or not. The steps read and write it; the
 * incident report is printed from it.
 */
final class Incident {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    final PrintWriter out;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final OpenAiStub openai;
    final SecretsManagerEmulator secrets;
    final String secretId;
    final String proxyUrl;
    final String admin;
    final String serviceToken;
    /** The shared repository the developer pushes to. */
    final Path origin;
    /** The developer's clone. */
    final Path laptop;
    final String oldKey;

    String newKey;
    KeyRotation rotation;
    Traffic service;
    long unknown;
    int refused;

    final List<String> timeline = new ArrayList<>();
    final List<String> failures = new ArrayList<>();

    Incident(PrintWriter out, Path scratch, OpenAiStub openai, SecretsManagerEmulator secrets, String secretId,
             String proxyUrl, String admin, String serviceToken, String oldKey) {
        this.out = out;
        this.openai = openai;
        this.secrets = secrets;
        this.secretId = secretId;
        this.proxyUrl = proxyUrl;
        this.admin = admin;
        this.serviceToken = serviceToken;
        this.origin = scratch.resolve("origin.git");
        this.laptop = scratch.resolve("laptop");
        this.oldKey = oldKey;
    }

    /** Prints one step's heading and story, and notes the step in the timeline. */
    void begin(int number, int of, String title, String story) {
        timeline.add(clock(LocalTime.now()) + "  " + number + ". " + title);
        out.println();
        out.println("step " + number + " of " + of + ": " + title);
        out.println("  " + story);
        out.flush();
    }

    /** A time in the timeline: always HH:mm:ss (LocalTime.toString() drops ":00" seconds, and the columns with it). */
    static String clock(LocalTime time) {
        return time.format(CLOCK);
    }

    /** Prints whether {@code outcome} was reached; one not reached fails the drill. */
    void expect(boolean condition, String outcome) {
        out.println("  " + (condition ? "ok: " : "NOT REACHED: ") + outcome);
        if (!condition) {
            failures.add(outcome);
        }
    }

    /** Requests in the proxy's ledger, all tokens together ({@code GET /admin/usage}). */
    long ledgerRequests() throws IOException, InterruptedException {
        long total = 0;
        for (JsonNode token : Json.MAPPER.readTree(admin("GET", "/admin/usage").body()).path("data")) {
            total += token.path("requests").asLong();
        }
        return total;
    }

    /** A call to the proxy's admin API with the operator's token. */
    HttpResponse<String> admin(String method, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(proxyUrl + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + admin).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Chat calls the account answered for {@code key}: what OpenAI's usage page would count. */
    long chatCalls(String key) {
        return openai.journal().stream()
                .filter(entry -> entry.path().endsWith("/chat/completions") && key.equals(entry.bearer())).count();
    }

    /** The stranger: OpenAI's API with the copied key, no proxy in between; the HTTP status. */
    int callDirectly(String key) {
        return Traffic.ask(http, openai.baseUrl() + "/chat/completions", key);
    }
}

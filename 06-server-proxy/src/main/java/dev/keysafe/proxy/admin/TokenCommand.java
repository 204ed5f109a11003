package dev.keysafe.proxy.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.common.ExitCode;
import dev.keysafe.common.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * The admin API from a terminal: issue, list and revoke client tokens of a running proxy. It
 * talks to PROXY_URL (default http://127.0.0.1:7070) with the admin token from PROXY_ADMIN_TOKEN,
 * so the token never appears on the command line.
 *
 * <pre>
 * TokenCommand create --name web-app --models gpt-4o-mini --budget-usd 5 [--rpm 60]
 *                     [--expires-in-seconds 86400] [--max-tokens 1024]
 * TokenCommand list
 * TokenCommand revoke tok_...
 * </pre>
 */
public final class TokenCommand {

    private static final String USAGE = "usage: TokenCommand create --name NAME --models m1,m2 --budget-usd N "
            + "[--rpm N] [--expires-in-seconds N] [--max-tokens N] | list | revoke TOKEN_ID";

    private TokenCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv(), args, System.out, System.err));
    }

    /** The whole command, with its inputs as parameters; returns the exit code. */
    static int run(Map<String, String> env, String[] args, PrintStream out, PrintStream err) {
        String admin = env.getOrDefault("PROXY_ADMIN_TOKEN", "").strip();
        if (admin.isEmpty()) {
            err.println("PROXY_ADMIN_TOKEN is not set. Export the proxy's admin token first (see 06-server-proxy/README.md).");
            return ExitCode.CONFIG;
        }
        String base = env.getOrDefault("PROXY_URL", "http://127.0.0.1:7070").replaceAll("/+$", "");
        if (args.length == 0) {
            err.println(USAGE);
            return ExitCode.CONFIG;
        }
        HttpRequest.Builder request;
        try {
            switch (args[0]) {
                case "create" -> request = HttpRequest.newBuilder(URI.create(base + "/admin/tokens"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(grant(Arrays.copyOfRange(args, 1, args.length))));
                case "list" -> request = HttpRequest.newBuilder(URI.create(base + "/admin/tokens")).GET();
                case "revoke" -> {
                    if (args.length != 2 || !args[1].matches("tok_[0-9a-f]{16}")) {
                        err.println("revoke needs one token id, such as tok_0123456789abcdef (see 'list').");
                        return ExitCode.CONFIG;
                    }
                    request = HttpRequest.newBuilder(URI.create(base + "/admin/tokens/" + args[1])).DELETE();
                }
                default -> {
                    err.println(USAGE);
                    return ExitCode.CONFIG;
                }
            }
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return ExitCode.CONFIG;
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            HttpResponse<String> answer = http.send(request.header("Authorization", "Bearer " + admin)
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() >= 400) {
                err.println("The proxy refused (HTTP " + answer.statusCode() + "): " + reason(answer.body()));
                return answer.statusCode() == 401 ? ExitCode.AUTH : ExitCode.UPSTREAM;
            }
            out.println(answer.statusCode() == 204 ? "revoked " + args[1] : answer.body());
            return ExitCode.OK;
        } catch (IOException e) {
            err.println("The proxy could not be reached at PROXY_URL: is it running? (" + e.getClass().getSimpleName() + ")");
            return ExitCode.UPSTREAM;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCode.UPSTREAM;
        }
    }

    /** The proxy's own message in an error answer; it never quotes a secret. */
    private static String reason(String body) {
        try {
            return Json.read(body).at("/error/message").asText("no reason given");
        } catch (Json.Malformed e) {
            return "no reason given";
        }
    }

    /** The JSON body of {@code create} from its options. */
    private static String grant(String[] options) {
        ObjectNode body = Json.object();
        for (int i = 0; i < options.length; i += 2) {
            if (i + 1 >= options.length) {
                throw new IllegalArgumentException(options[i] + " needs a value. " + USAGE);
            }
            String value = options[i + 1];
            try {
                switch (options[i]) {
                    case "--name" -> body.put("name", value);
                    case "--models" -> Arrays.stream(value.split(",")).map(String::strip).filter(m -> !m.isEmpty())
                            .forEach(body.withArray("models")::add);
                    case "--budget-usd" -> body.put("budget_usd", new java.math.BigDecimal(value));
                    case "--rpm" -> body.put("rpm", Integer.parseInt(value));
                    case "--expires-in-seconds" -> body.put("expires_in_seconds", Integer.parseInt(value));
                    case "--max-tokens" -> body.put("max_tokens", Integer.parseInt(value));
                    default -> throw new IllegalArgumentException("unknown option " + options[i] + ". " + USAGE);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(options[i] + " needs a number. " + USAGE);
            }
        }
        if (!body.has("models")) {
            body.putArray("models");
        }
        return Json.write(body);
    }
}

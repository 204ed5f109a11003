package dev.keysafe.testkit.api;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A stand-in for a team's app, run by the tests of the public API: it calls OpenAI's chat route
 * with OPENAI_API_KEY, then does what its argument says, right or wrong.
 */
public final class SmallApp {

    private SmallApp() {
    }

    public static void main(String[] args) throws Exception {
        String key = System.getenv("OPENAI_API_KEY");
        String mistake = args.length > 0 ? args[0] : "none";
        if (!mistake.equals("no-call")) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(System.getenv("OPENAI_BASE_URL") + "/chat/completions"))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\",\"messages\":[]}")).build();
            HttpResponse<String> answer = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
            System.out.println("status " + answer.statusCode());
        }
        switch (mistake) {
            case "stderr" -> {
                System.err.println("starting");
                System.err.println("starting");
                System.err.println("using key " + key);
            }
            case "file" -> Files.writeString(Path.of("app-cache.txt"), "cached=" + key + "\n");
            default -> System.err.println("done");
        }
    }
}

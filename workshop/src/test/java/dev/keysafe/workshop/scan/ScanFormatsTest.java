package dev.keysafe.workshop.scan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keysafe.common.ExitCode;
import dev.keysafe.common.Json;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.KeyPatterns;
import dev.keysafe.testkit.KeyRule;
import dev.keysafe.testkit.KeyShapes;
import dev.keysafe.workshop.Fixtures;
import dev.keysafe.workshop.Fixtures.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * {@code ./kit scan --format json|sarif}: documents a script or a code-scanning service reads,
 * built with Jackson; SARIF valid against the 2.1.0 schema's rules with one result per finding;
 * every value masked, in every format.
 */
@Execution(ExecutionMode.CONCURRENT)
class ScanFormatsTest {

    @TempDir
    Path dir;

    private final List<String> keys = new ArrayList<>();

    private Result scan(String... args) {
        return Fixtures.kitIn(dir, "scan", args);
    }

    private String key(String key) {
        keys.add(key);
        return key;
    }

    /**
     * Five findings in the working tree (plain, an AWS pair, in a jar, base64), the same five in the
     * last commit, and one only in the first commit: eleven.
     */
    private String repositoryWithFindings() throws Exception {
        String deleted;
        try (ScratchRepo repo = ScratchRepo.init(dir)) {
            repo.write("old/config.properties", "openai.key=" + key(KeyShapes.openAi("sk-admin-")) + "\n");
            deleted = repo.commitAll("first");
            repo.delete("old/config.properties");
            repo.write("src/App.java", "class App {\n  String key = \"" + key(KeyShapes.openAi("sk-proj-")) + "\";\n}\n");
            repo.write(".env.example", "AWS_ACCESS_KEY_ID=" + key(KeyShapes.awsAccessKeyId()) + "\nAWS_SECRET_ACCESS_KEY="
                    + key(KeyShapes.awsSecretAccessKey()) + "\n");
            repo.write("k8s/secret.yaml", "data:\n  token: " + Base64.getEncoder().encodeToString(
                    key(KeyShapes.gitHubFineGrained()).getBytes(StandardCharsets.UTF_8)) + "\n");
            Files.write(dir.resolve("app.jar"), ScanDecodingTest.zip(Map.of("config/app.properties",
                    ("# app\nname=x\nkey=" + key(KeyShapes.slackBot()) + "\n").getBytes(StandardCharsets.UTF_8))));
            repo.commitAll("second");
        }
        return deleted;
    }

    private void assertNoKeyIn(Result result) {
        for (String key : keys) {
            assertThat(result.out() + result.err()).doesNotContain(key);
        }
    }

    @Test
    void sarif_is_valid_sarif_2_1_0_with_one_result_per_finding_masked_and_located() throws Exception {
        String deleted = repositoryWithFindings();

        Result sarif = scan("--format", "sarif");
        Result json = scan("--format", "json");

        assertThat(sarif.exitCode()).as(sarif.err()).isEqualTo(1);
        JsonNode log = Json.read(sarif.out());
        assertThat(SarifSchema.violations(log)).isEmpty();
        JsonNode run = log.get("runs").get(0);
        JsonNode rules = run.at("/tool/driver/rules");
        assertThat(rules.size()).isEqualTo(KeyPatterns.rules().size());
        assertThat(run.at("/tool/driver/name").asText()).isEqualTo("keysafe");
        assertThat(rules.findValuesAsText("id")).containsAll(KeyPatterns.rules().stream().map(KeyRule::id).toList());
        JsonNode results = run.get("results");
        assertThat(results.size()).as("one result per finding").isEqualTo(Json.read(json.out()).get("findings").size())
                .isEqualTo(11);
        for (JsonNode result : results) {
            assertThat(rules.get(result.get("ruleIndex").asInt()).get("id").asText()).isEqualTo(result.get("ruleId").asText());
            assertThat(result.at("/partialFingerprints/" + SarifReport.FINGERPRINT.replace("/", "~1")).asText())
                    .matches("[0-9a-f]{64}");
            assertThat(result.get("level").asText()).isEqualTo("error");
        }
        JsonNode app = located(results, "src/App.java");
        assertThat(app.at("/locations/0/physicalLocation/region/startLine").asInt()).isEqualTo(2);
        assertThat(app.get("ruleId").asText()).isEqualTo("openai-project-key");
        assertThat(app.at("/message/text").asText()).contains(Canary.mask(keys.get(1)), "working tree at src/App.java:2");
        JsonNode jar = located(results, "app.jar");
        assertThat(jar.at("/properties/archiveEntry").asText()).isEqualTo("config/app.properties");
        assertThat(jar.at("/message/text").asText()).contains("app.jar!/config/app.properties:3");
        assertThat(located(results, "old/config.properties").at("/properties/commit").asText()).isEqualTo(deleted);
        assertThat(located(results, "k8s/secret.yaml").at("/properties/encoding").asText()).isEqualTo("base64");
        assertThat(sarif.err()).contains("keysafe scan: 11 finding(s) to act on (sarif on stdout).").hasLineCount(1);
        assertNoKeyIn(sarif);
    }

    private static JsonNode located(JsonNode results, String uri) {
        for (JsonNode result : results) {
            if (result.at("/locations/0/physicalLocation/artifactLocation/uri").asText().equals(uri)) {
                return result;
            }
        }
        throw new AssertionError("no result located in " + uri + ": " + results);
    }

    @Test
    void json_lists_each_finding_the_allowed_ones_with_their_reason_and_the_exit_code() throws Exception {
        repositoryWithFindings();
        String allowed = key(KeyShapes.huggingFace());
        Files.writeString(dir.resolve("notebook.py"), "token = '" + allowed + "'  # keysafe:allow revoked fixture\n");

        Result result = scan("--format", "json", "--no-history");

        assertThat(result.exitCode()).isEqualTo(1);
        JsonNode report = Json.read(result.out());
        assertThat(report.get("exitCode").asInt()).isEqualTo(1);
        assertThat(report.get("scope").asText()).isEqualTo("working tree");
        assertThat(report.get("findings").size()).isEqualTo(5);
        for (JsonNode finding : report.get("findings")) {
            assertThat(finding.get("masked").asText()).contains("***");
            assertThat(finding.get("fingerprint").asText()).matches("[0-9a-f]{64}");
        }
        assertThat(report.get("findings").findValuesAsText("where")).contains("src/App.java:2",
                "k8s/secret.yaml:2 (base64)", "app.jar!/config/app.properties:3", ".env.example:1", ".env.example:2");
        assertThat(report.get("allowed").size()).isEqualTo(1);
        assertThat(report.at("/allowed/0/reason").asText()).isEqualTo("revoked fixture");
        assertThat(report.at("/allowed/0/where").asText()).isEqualTo("notebook.py:1");
        assertNoKeyIn(result);
    }

    @Test
    void a_clean_folder_gives_a_sarif_log_with_the_rules_and_no_results_and_exits_0() throws Exception {
        Files.writeString(dir.resolve("README.md"), String.join("\n", KeyShapes.lookAlikes()));

        Result result = scan("--format", "sarif");

        assertThat(result.exitCode()).isZero();
        JsonNode log = Json.read(result.out());
        assertThat(SarifSchema.violations(log)).isEmpty();
        assertThat(log.at("/runs/0/results").size()).isZero();
        assertThat(log.at("/runs/0/tool/driver/rules").size()).isEqualTo(KeyPatterns.rules().size());
    }

    @Test
    void an_unknown_format_is_a_usage_error() {
        Result result = scan("--format", "xml");

        assertThat(result.exitCode()).isEqualTo(ExitCode.KIT_USAGE);
        assertThat(result.err()).contains("--format", "xml");
    }

    @Test
    void the_schema_check_finds_what_the_schema_forbids() throws Exception {
        JsonNode broken = Json.read("{\"version\": \"2.0.0\", \"runs\": [{\"tool\": {\"driver\": {\"rules\": "
                + "[{\"id\": \"a\"}, {\"id\": \"a\"}]}}, \"results\": [{\"ruleId\": \"a\", \"level\": \"fatal\","
                + " \"commit\": \"x\", \"locations\": [{\"physicalLocation\": {\"artifactLocation\": "
                + "{\"uri\": \"a b\"}, \"region\": {\"startLine\": 0}}}]}]}]}");

        assertThat(SarifSchema.violations(broken)).anyMatch(v -> v.startsWith("$.version"))
                .anyMatch(v -> v.contains("toolComponent requires name"))
                .anyMatch(v -> v.contains(".rules: items must be unique"))
                .anyMatch(v -> v.contains("result requires message"))
                .anyMatch(v -> v.contains(".level: one of"))
                .anyMatch(v -> v.contains(".commit: not a property of result"))
                .anyMatch(v -> v.contains(".uri: not a URI"))
                .anyMatch(v -> v.contains(".startLine: an integer >= 1"));
    }
}

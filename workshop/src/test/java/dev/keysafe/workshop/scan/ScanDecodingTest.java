package dev.keysafe.workshop.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.KeyShapes;
import dev.keysafe.workshop.Fixtures;
import dev.keysafe.workshop.Fixtures.Result;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * {@code ./kit scan} reads each file every way a key hides in a repository: base64 (a Kubernetes
 * Secret, a wrapped run), UTF-16 with and without a byte-order mark, percent-encoding, and
 * archives nested once, in the working tree and in history; each find says where and how.
 */
@Execution(ExecutionMode.CONCURRENT)
class ScanDecodingTest {

    @TempDir
    Path dir;

    private Result scan(String... args) {
        return Fixtures.kitIn(dir, "scan", args);
    }

    private void write(String path, byte[] bytes) throws IOException {
        Path file = dir.resolve(path);
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void a_key_base64_encoded_in_a_kubernetes_secret_is_found_on_its_data_line() throws Exception {
        String key = KeyShapes.openAi("sk-proj-");
        write("k8s/secret.yaml", utf8(String.join("\n", "apiVersion: v1", "kind: Secret", "metadata:",
                "  name: openai", "type: Opaque", "data:",
                "  OPENAI_API_KEY: " + Base64.getEncoder().encodeToString(utf8(key)), "")));

        Result result = scan("--no-history");

        assertThat(result.exitCode()).as(result.out()).isEqualTo(1);
        assertThat(result.out()).contains("working tree  k8s/secret.yaml:7 (base64)  OpenAI project/service/admin key  "
                + Canary.mask(key)).doesNotContain(key);
    }

    @Test
    void a_base64_run_wrapped_at_76_columns_is_read_whole() throws Exception {
        String key = KeyShapes.anthropic();
        String env = "# production\nANTHROPIC_API_KEY=" + key + "\nREGION=eu\n";
        String wrapped = Base64.getMimeEncoder(76, new byte[] {'\n'}).encodeToString(utf8(env));
        assertThat(wrapped.lines().count()).as("the run is wrapped").isGreaterThan(2);
        write("backup/env.b64", utf8("saved with base64:\n" + wrapped + "\n"));

        Result result = scan("--no-history");

        assertThat(result.out()).contains("backup/env.b64:2 (base64)  Anthropic API key  " + Canary.mask(key))
                .doesNotContain(key);
        assertThat(result.out()).containsOnlyOnce("Anthropic API key");
    }

    @Test
    void utf16_files_are_read_with_a_byte_order_mark_and_without() throws Exception {
        String little = KeyShapes.gitHub('p');
        String big = KeyShapes.awsAccessKeyId();
        ByteArrayOutputStream withBom = new ByteArrayOutputStream();
        withBom.write(new byte[] {(byte) 0xff, (byte) 0xfe});
        withBom.write("[github]\r\ntoken=".concat(little).concat("\r\n").getBytes(StandardCharsets.UTF_16LE));
        write("settings/windows.ini", withBom.toByteArray());
        write("settings/big-endian.txt", "one\ntwo\naws_access_key_id=".concat(big).concat("\n")
                .getBytes(StandardCharsets.UTF_16BE));

        Result result = scan("--no-history");

        assertThat(result.out())
                .contains("settings/windows.ini:2 (UTF-16LE)  GitHub token  " + Canary.mask(little))
                .contains("settings/big-endian.txt:3 (UTF-16BE)  AWS access key id  " + Canary.mask(big))
                .doesNotContain(little).doesNotContain(big);
    }

    @Test
    void percent_encoded_keys_in_urls_are_found() throws Exception {
        String key = KeyShapes.openAi("sk-svcacct-");
        StringBuilder encoded = new StringBuilder();
        for (byte b : utf8(key)) {
            encoded.append('%').append(String.format("%02X", b));
        }
        String webhook = KeyShapes.slackWebhook();
        write("logs/requests.log", utf8("GET /health 200\nGET /proxy?key=" + encoded + " 401\nPOST /notify?url="
                + java.net.URLEncoder.encode(webhook, StandardCharsets.UTF_8) + " 200\n"));

        Result result = scan("--no-history");

        assertThat(result.out())
                .contains("logs/requests.log:2 (percent-encoded)  OpenAI project/service/admin key  " + Canary.mask(key))
                .contains("logs/requests.log:3 (percent-encoded)  Slack webhook URL  " + Canary.mask(webhook))
                .doesNotContain(key).doesNotContain(webhook);
    }

    @Test
    void keys_inside_a_jar_and_inside_a_jar_inside_a_zip_are_found_with_the_entry_and_its_line() throws Exception {
        String inJar = KeyShapes.openAi("sk-");
        String nested = KeyShapes.stripeLive();
        String tooDeep = KeyShapes.huggingFace();
        byte[] appJar = zip(Map.of("META-INF/MANIFEST.MF", utf8("Manifest-Version: 1.0\n"),
                "config/app.properties", utf8("# app\nname=demo\napi.key=" + inJar + "\n")));
        byte[] innerJar = zip(Map.of("billing.properties", utf8("stripe.key=" + nested + "\n")));
        byte[] deepest = zip(Map.of("hf.env", utf8("HF_TOKEN=" + tooDeep + "\n")));
        write("app.jar", appJar);
        write("dist/release.zip", zip(Map.of("lib/billing.jar", innerJar, "README.txt", utf8("release\n"))));
        write("dist/deep.zip", zip(Map.of("one.zip", zip(Map.of("two.zip", deepest)))));

        Result result = scan("--no-history");

        assertThat(result.out())
                .contains("working tree  app.jar!/config/app.properties:3  OpenAI legacy key  " + Canary.mask(inJar))
                .contains("working tree  dist/release.zip!/lib/billing.jar!/billing.properties:1  Stripe live key  "
                        + Canary.mask(nested))
                .as("nested once: an archive three deep is not opened").doesNotContain("deep.zip")
                .doesNotContain(inJar).doesNotContain(nested);
    }

    @Test
    void a_jar_committed_then_deleted_is_still_opened_in_history() throws Exception {
        String key = KeyShapes.google();
        String added;
        try (ScratchRepo repo = ScratchRepo.init(dir)) {
            repo.write("README.md", "hello\n");
            write("build/app.jar", zip(Map.of("application.yml", utf8("maps:\n  key: " + key + "\n"))));
            added = repo.commitAll("ship the jar");
            repo.delete("build/app.jar");
            repo.commitAll("no jars in git");
        }

        Result result = scan();

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).contains("commit " + added + "  build/app.jar!/application.yml:2  Google API key  "
                + Canary.mask(key)).doesNotContain("working tree  ").doesNotContain(key);
    }

    @Test
    void look_alikes_stay_clean_however_they_are_encoded() throws Exception {
        String lookAlikes = String.join("\n", KeyShapes.lookAlikes()) + "\n";
        write("plain.txt", utf8(lookAlikes));
        write("utf16.txt", lookAlikes.getBytes(StandardCharsets.UTF_16));
        write("k8s/placeholders.yaml", utf8("kind: Secret\ndata:\n  KEY: "
                + Base64.getEncoder().encodeToString(utf8(lookAlikes)) + "\n"));
        write("placeholders.jar", zip(Map.of("a.properties", utf8(lookAlikes))));

        Result result = scan("--no-history");

        assertThat(result.exitCode()).as(result.out()).isZero();
        assertThat(result.out()).contains("clean: no key-shaped string found.");
    }

    static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> entry : new LinkedHashMap<>(entries).entrySet()) {
                zip.putNextEntry(new ZipEntry(entry.getKey()));
                zip.write(entry.getValue());
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}

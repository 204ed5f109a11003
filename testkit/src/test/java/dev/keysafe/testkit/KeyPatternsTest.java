package dev.keysafe.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.Sha256;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The scanner rules, on key shapes built at run time so no file holds one. */
class KeyPatternsTest {

    private static String realShaped(String prefix) {
        return prefix + "A1b2C3d4E5f6G7h8I9j0" + KeyPatterns.REAL_MARKER + "k1L2m3N4o5P6q7R8s9T0";
    }

    @Test
    void real_modern_and_legacy_formats_are_found() {
        assertThat(KeyPatterns.all().formsIn("k=" + realShaped("sk-proj-"))).contains("OpenAI project/service/admin key");
        assertThat(KeyPatterns.all().formsIn(realShaped("sk-svcacct-"))).contains("OpenAI project/service/admin key");
        assertThat(KeyPatterns.all().formsIn(realShaped("sk-admin-"))).contains("OpenAI project/service/admin key");
        assertThat(KeyPatterns.all().formsIn(realShaped("sk-"))).contains("OpenAI legacy key");
    }

    @Test
    void the_demo_format_is_found() {
        String demo = KeyPatterns.DEMO_PREFIX + "0123456789abcdef0123456789abcdef";

        assertThat(KeyPatterns.all().formsIn("API_KEY = \"" + demo + "\"")).containsExactly("keysafe demo key");
    }

    @Test
    void look_alikes_are_not_keys() {
        String text = "import sk-learn; OPENAI_API_KEY=sk-your-key-here; task-list; desk-proj-notes; sk-proj-short";

        assertThat(KeyPatterns.all().formsIn(text)).isEmpty();
    }

    @Test
    void matches_give_rule_line_and_a_masked_value() {
        String key = realShaped("sk-proj-");
        String text = "first line\nsecond " + key + " line\n";

        assertThat(KeyPatterns.all().matches(text)).singleElement().satisfies(m -> {
            assertThat(m.ruleId()).isEqualTo("openai-project-key");
            assertThat(m.line()).isEqualTo(2);
            assertThat(m.masked()).isEqualTo(Canary.mask(key)).doesNotContain(KeyPatterns.REAL_MARKER);
            assertThat(m.digest()).isEqualTo(Sha256.hex(key));
        });
    }

    @Test
    void a_run_inside_another_providers_key_is_reported_as_that_key_only() {
        String alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        // An Anthropic admin key whose body holds 40 characters between '-' and '_', next to an AWS key id:
        // alone, those 40 would pass for an AWS secret access key.
        String run = KeyShapes.random(alnum, 40);
        String admin = "sk-" + "ant-admin01-" + KeyShapes.random(alnum, 26) + "-" + run + "_"
                + KeyShapes.random(alnum, 25) + "AA";
        String text = "ANTHROPIC_ADMIN_KEY=" + admin + "\nAWS_ACCESS_KEY_ID=" + KeyShapes.awsAccessKeyId() + "\n";

        assertThat(KeyPatterns.all().matches("AWS_SECRET_ACCESS_KEY=" + run + "\n")).extracting(KeyPatterns.Match::ruleId)
                .as("the run alone").containsExactly("aws-secret-access-key");
        assertThat(KeyPatterns.all().matches(text)).extracting(KeyPatterns.Match::ruleId)
                .containsExactly("anthropic-admin-key", "aws-access-key-id");
    }

    static Stream<Arguments> providers() {
        return Stream.of(
                Arguments.of("openai-project-key", (Supplier<String>) () -> KeyShapes.openAi("sk-proj-")),
                Arguments.of("openai-project-key", (Supplier<String>) () -> KeyShapes.openAi("sk-svcacct-")),
                Arguments.of("openai-project-key", (Supplier<String>) () -> KeyShapes.openAi("sk-admin-")),
                Arguments.of("openai-legacy-key", (Supplier<String>) () -> KeyShapes.openAi("sk-")),
                Arguments.of("anthropic-api-key", (Supplier<String>) KeyShapes::anthropic),
                Arguments.of("anthropic-admin-key", (Supplier<String>) KeyShapes::anthropicAdmin),
                Arguments.of("aws-access-key-id", (Supplier<String>) KeyShapes::awsAccessKeyId),
                Arguments.of("aws-access-key-id", (Supplier<String>) KeyShapes::awsTemporaryKeyId),
                Arguments.of("github-token", (Supplier<String>) () -> KeyShapes.gitHub('p')),
                Arguments.of("github-token", (Supplier<String>) () -> KeyShapes.gitHub('o')),
                Arguments.of("github-token", (Supplier<String>) () -> KeyShapes.gitHub('u')),
                Arguments.of("github-token", (Supplier<String>) () -> KeyShapes.gitHub('s')),
                Arguments.of("github-token", (Supplier<String>) () -> KeyShapes.gitHub('r')),
                Arguments.of("github-fine-grained-token", (Supplier<String>) KeyShapes::gitHubFineGrained),
                Arguments.of("google-api-key", (Supplier<String>) KeyShapes::google),
                Arguments.of("slack-token", (Supplier<String>) KeyShapes::slackBot),
                Arguments.of("slack-token", (Supplier<String>) KeyShapes::slackUser),
                Arguments.of("slack-webhook-url", (Supplier<String>) KeyShapes::slackWebhook),
                Arguments.of("huggingface-token", (Supplier<String>) KeyShapes::huggingFace),
                Arguments.of("stripe-live-key", (Supplier<String>) KeyShapes::stripeLive),
                Arguments.of("keysafe-demo-key", (Supplier<String>) KeyShapes::demo));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void each_providers_key_is_found_by_its_own_rule_in_the_usual_settings(String ruleId, Supplier<String> shape) {
        for (String setting : List.of("KEY=%s\n", "key: \"%s\"\n", "{\"token\": \"%s\"}", "  String k = \"%s\";\r\n",
                "export TOKEN='%s'", "x\\n%s\\n", "curl -H 'Authorization: Bearer %s' https://api.example.invalid",
                "url?token=%s&x=1", "%s")) {
            String key = shape.get();
            String text = "line one\n" + setting.formatted(key);

            assertThat(KeyPatterns.all().matches(text)).as("%s in %s", ruleId, setting).singleElement().satisfies(m -> {
                assertThat(m.ruleId()).isEqualTo(ruleId);
                assertThat(m.line()).isEqualTo(2);
                assertThat(m.masked()).isEqualTo(Canary.mask(key)).doesNotContain(key);
                assertThat(m.digest()).isEqualTo(Sha256.hex(key));
            });
        }
    }

    @Test
    void every_rule_has_an_id_a_name_and_help_and_the_ids_are_unique() {
        List<String> ids = KeyPatterns.rules().stream().map(KeyRule::id).toList();

        assertThat(ids).doesNotHaveDuplicates().allMatch(id -> id.matches("[a-z0-9-]+"));
        assertThat(KeyPatterns.rules()).allSatisfy(rule -> {
            assertThat(rule.name()).isNotBlank();
            assertThat(rule.help()).endsWith(".").hasSizeGreaterThan(40);
        });
    }

    @Test
    void a_pem_private_key_with_a_body_is_found_masked_on_its_begin_line_and_a_quoted_header_is_not() {
        String pem = KeyShapes.pemPrivateKey();
        String asJson = "{\"private_key\": \"" + pem.replace("\n", "\\n") + "\"}";

        String afterCode = "String header = \"-----BEGIN PRIVATE KEY-----\"; // " + "x".repeat(80) + "\n";

        for (String text : List.of("# key\n" + pem, "# key\n" + asJson, afterCode + pem)) {
            assertThat(KeyPatterns.all().matches(text)).singleElement().satisfies(m -> {
                assertThat(m.ruleId()).isEqualTo("private-key");
                assertThat(m.line()).isEqualTo(2);
                assertThat(m.masked()).startsWith("-----BEGIN PRIVATE KEY----- ").contains("***").hasSizeLessThan(50);
            });
        }
    }

    @Test
    void an_aws_secret_access_key_is_found_next_to_an_access_key_id_or_named_as_one() {
        String id = KeyShapes.awsAccessKeyId();
        String secret = KeyShapes.awsSecretAccessKey();
        String credentials = "[default]\naws_access_key_id = " + id + "\nregion = eu-west-1\nsecret = " + secret + "\n";
        String named = "AWS_SECRET_ACCESS_KEY=" + KeyShapes.awsSecretAccessKey() + "\n";
        String nearby = "{\n  \"AccessKeyId\": \"" + KeyShapes.awsTemporaryKeyId() + "\",\n  \"SecretKey\": \""
                + KeyShapes.awsSecretAccessKey() + "\"\n}";

        assertThat(KeyPatterns.all().matches(credentials)).extracting(KeyPatterns.Match::ruleId, KeyPatterns.Match::line)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("aws-access-key-id", 2),
                        org.assertj.core.groups.Tuple.tuple("aws-secret-access-key", 4));
        assertThat(KeyPatterns.all().formsIn(named)).containsExactly("AWS secret access key");
        assertThat(KeyPatterns.all().formsIn(nearby)).containsExactly("AWS access key id", "AWS secret access key");
    }

    @Test
    void forty_characters_of_base64_alone_are_not_an_aws_secret() {
        String far = KeyShapes.awsAccessKeyId() + "\n\n\n\n\n\n\n\nchecksum = " + KeyShapes.awsSecretAccessKey() + "\n";

        assertThat(KeyPatterns.all().formsIn("checksum = " + KeyShapes.awsSecretAccessKey())).isEmpty();
        assertThat(KeyPatterns.all().formsIn(far)).containsExactly("AWS access key id");
    }

    @Test
    void placeholders_masked_values_documented_examples_uuids_and_hashes_are_never_keys() {
        assertThat(KeyShapes.lookAlikes()).allSatisfy(text ->
                assertThat(KeyPatterns.all().matches(text)).as("look-alike: %s", text).isEmpty());
    }

}

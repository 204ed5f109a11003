package dev.keysafe.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

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
            assertThat(m.line()).isEqualTo(2);
            assertThat(m.masked()).isEqualTo(Canary.mask(key)).doesNotContain(KeyPatterns.REAL_MARKER);
        });
    }
}

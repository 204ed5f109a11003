package dev.keysafe.hardcoded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.testkit.KeyPatterns;
import org.junit.jupiter.api.Test;

/** Module 01's key is a fake in the kit's demo format: scanners of real keys never fire on it. */
class DemoKeyTest {

    @Test
    void demo_key_has_no_real_key_marker() {
        assertThat(HardcodedKey.API_KEY).startsWith(KeyPatterns.DEMO_PREFIX);

        assertThat(KeyPatterns.hasRealMarker(HardcodedKey.API_KEY)).isFalse();
    }

    @Test
    void demo_key_matches_only_the_keysafe_demo_rule() {
        assertThat(KeyPatterns.all().formsIn(HardcodedKey.API_KEY)).containsExactly("keysafe demo key");
    }
}

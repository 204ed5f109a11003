package dev.keysafe.proxy.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The price table: exact nano-dollars, rounded up, nonsense refused. (Moved from the former ProxyConfigTest.) */
class PricesTest {

    @Test
    void prices_round_up_to_whole_nano_dollars_and_refuse_nonsense() {
        Prices prices = Prices.parse("a = 0.0001 0.15\n", "test");

        assertThat(prices.of("a")).hasValueSatisfying(p -> {
            assertThat(p.inputNanoUsd()).isEqualTo(1);
            assertThat(p.outputNanoUsd()).isEqualTo(150);
        });
        assertThatThrownBy(() -> Prices.parse("a = 1\n", "test")).hasMessageContaining("needs two numbers");
        assertThatThrownBy(() -> Prices.parse("a = -1 2\n", "test")).hasMessageContaining("not a non-negative number");
        assertThat(Prices.defaults().knows("gpt-4o-mini")).isTrue();
    }
}

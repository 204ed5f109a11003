package dev.keysafe.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.Json;
import dev.keysafe.proxy.ClientToken;
import dev.keysafe.proxy.limits.Prices;
import dev.keysafe.proxy.store.Store;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The one rule for a token's state, without HTTP: each state, their order, and the amounts it quotes. */
class TokenStateTest {

    static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
    static final long NEEDS = 614_400;
    static final Supplier<Store.Admission> FREE = () -> new Store.Admission(true, Duration.ZERO);
    static final Supplier<Store.Admission> EMPTY_BUCKET = () -> new Store.Admission(false, Duration.ofMillis(11_200));

    static ClientToken token(boolean revoked, Instant expiresAt, Set<String> models) {
        return new ClientToken("tok_1", "team-app", "h", "...abcd", models, 1_000_000_000, 60, 1_024,
                NOW.minusSeconds(3_600), expiresAt, revoked, "client");
    }

    static ClientToken live() {
        return token(false, NOW.plusSeconds(60), Set.of("gpt-4o-mini"));
    }

    static Store.Budget spent(long nano) {
        return new Store.Budget(1_000_000_000, nano, 0);
    }

    @Test
    void a_live_token_with_budget_and_rate_to_spare_is_active() {
        TokenState state = TokenState.of(live(), spent(0), NEEDS, NOW, FREE);

        assertThat(state.name()).isEqualTo(TokenState.ACTIVE);
        assertThat(state.detail()).isEmpty();
        assertThat(state.leftNanoUsd()).isEqualTo(1_000_000_000);
    }

    @Test
    void a_budget_left_below_the_smallest_request_is_blocked_saying_what_it_needs_and_has() {
        TokenState state = TokenState.of(live(), spent(1_000_000_000 - 114_999), NEEDS, NOW, FREE);

        assertThat(state.name()).isEqualTo(TokenState.BLOCKED);
        // Needs rounded up, left rounded down: the sentence stays true.
        assertThat(state.detail()).isEqualTo("needs $0.00062, $0.00011 left");
        assertThat(state.needsNanoUsd()).isEqualTo(NEEDS);
        assertThat(state.leftNanoUsd()).isEqualTo(114_999);
    }

    @Test
    void a_budget_left_of_exactly_the_smallest_request_is_not_blocked() {
        assertThat(TokenState.of(live(), spent(1_000_000_000 - NEEDS), NEEDS, NOW, FREE).name())
                .isEqualTo(TokenState.NEARLY_SPENT);
        assertThat(TokenState.of(live(), spent(1_000_000_000 - NEEDS + 1), NEEDS, NOW, FREE).name())
                .isEqualTo(TokenState.BLOCKED);
    }

    @Test
    void a_token_that_may_use_no_model_is_blocked() {
        TokenState state = TokenState.of(token(false, NOW.plusSeconds(60), Set.of()), spent(0), Long.MAX_VALUE, NOW, FREE);

        assertThat(state.name()).isEqualTo(TokenState.BLOCKED);
        assertThat(state.detail()).isEqualTo("may use no model");
    }

    @Test
    void an_empty_rate_limit_bucket_reads_rate_limited_with_the_wait() {
        TokenState state = TokenState.of(live(), spent(900_000_000), NEEDS, NOW, EMPTY_BUCKET);

        assertThat(state.name()).isEqualTo(TokenState.RATE_LIMITED);
        assertThat(state.detail()).isEqualTo("its limit of 60 a minute is reached; next in 12 s");
    }

    @Test
    void eighty_percent_spent_is_nearly_spent_and_a_hair_less_is_active() {
        TokenState at80 = TokenState.of(live(), spent(800_000_000), NEEDS, NOW, FREE);

        assertThat(at80.name()).isEqualTo(TokenState.NEARLY_SPENT);
        assertThat(at80.detail()).isEqualTo("80% of the budget spent");
        assertThat(TokenState.of(live(), spent(799_999_999), NEEDS, NOW, FREE).name()).isEqualTo(TokenState.ACTIVE);
    }

    @Test
    void revoked_comes_before_expired_and_expired_before_blocked() {
        Store.Budget nothingLeft = spent(1_000_000_000);

        assertThat(TokenState.of(token(true, NOW.minusSeconds(1), Set.of("gpt-4o-mini")), nothingLeft, NEEDS, NOW,
                EMPTY_BUCKET).name()).isEqualTo(TokenState.REVOKED);
        assertThat(TokenState.of(token(false, NOW, Set.of("gpt-4o-mini")), nothingLeft, NEEDS, NOW, EMPTY_BUCKET)
                .name()).as("expiry is inclusive, as for requests").isEqualTo(TokenState.EXPIRED);
        assertThat(TokenState.of(live(), nothingLeft, NEEDS, NOW, EMPTY_BUCKET).name())
                .as("blocked lasts; a rate limit passes in seconds").isEqualTo(TokenState.BLOCKED);
    }

    @Test
    void the_rate_limit_is_asked_only_when_no_lasting_state_holds() {
        AtomicInteger asked = new AtomicInteger();
        Supplier<Store.Admission> counting = () -> {
            asked.incrementAndGet();
            return FREE.get();
        };

        TokenState.of(token(true, NOW.plusSeconds(60), Set.of("gpt-4o-mini")), spent(0), NEEDS, NOW, counting);
        TokenState.of(live(), spent(1_000_000_000), NEEDS, NOW, counting);
        assertThat(asked).hasValue(0);

        TokenState.of(live(), spent(0), NEEDS, NOW, counting);
        assertThat(asked).hasValue(1);
    }

    @Test
    void the_smallest_request_is_the_cheapest_model_with_only_its_name_and_the_output_cap() {
        Prices prices = Prices.defaults();
        ClientToken token = token(false, NOW.plusSeconds(60), Set.of("gpt-4o", "gpt-4o-mini"));
        int bytes = Json.write(Json.object().put("model", "gpt-4o-mini").put("max_output_tokens", 1_024))
                .getBytes(StandardCharsets.UTF_8).length;

        long needs = TokenState.leastRequest(prices).applyAsLong(token);

        assertThat(needs).isEqualTo(prices.cost("gpt-4o-mini", bytes + 16L, 1_024))
                .isLessThan(prices.cost("gpt-4o", bytes, 1_024));
        assertThat(TokenState.leastRequest(prices).applyAsLong(token(false, NOW, Set.of()))).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void amounts_read_as_cents_from_a_dollar_and_two_significant_digits_below() {
        assertThat(TokenState.usd(0, RoundingMode.FLOOR)).isEqualTo("$0");
        assertThat(TokenState.usd(614_400, RoundingMode.CEILING)).isEqualTo("$0.00062");
        assertThat(TokenState.usd(614_400, RoundingMode.FLOOR)).isEqualTo("$0.00061");
        assertThat(TokenState.usd(50_000_000, RoundingMode.FLOOR)).isEqualTo("$0.05");
        assertThat(TokenState.usd(100_000_000, RoundingMode.FLOOR)).isEqualTo("$0.10");
        assertThat(TokenState.usd(1_500_000_000, RoundingMode.FLOOR)).isEqualTo("$1.50");
        assertThat(TokenState.usd(12_345_000_000L, RoundingMode.CEILING)).isEqualTo("$12.35");
    }
}

package dev.keysafe.proxy.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.proxy.app.TestProxy;
import dev.keysafe.proxy.store.Store;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.stub.OpenAiStubExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The budget holds when requests race: 200 requests released at once against a budget that
 * covers a fraction of them. Reserve-then-settle is atomic, so spend never exceeds the budget,
 * and every request that went upstream is in the ledger.
 */
class BudgetRaceTest {

    static final Canary KEY = Canary.fresh();
    static final int RACERS = 200;

    @RegisterExtension
    static final OpenAiStubExtension openai = OpenAiStubExtension.accepting(KEY.value());

    @Test
    void two_hundred_racing_requests_never_spend_more_than_the_budget() throws Exception {
        try (TestProxy proxy = TestProxy.start(openai.stub().baseUrl(), KEY.value())) {
            // $0.0005 buys at most 69 answers at 7,200 nano-dollars each (12 in x 150 + 9 out x 600).
            String token = proxy.issue("race", List.of("gpt-4o-mini"), "0.0005", 100_000, 16);
            String id = proxy.store.tokens().get(0).id();
            List<Integer> statuses = TestProxy.raceChats(RACERS, i -> proxy, token);

            long answered = statuses.stream().filter(s -> s == 200).count();
            long refused = statuses.stream().filter(s -> s == 429).count();
            Store.Budget budget = proxy.store.budget(id);
            assertThat(statuses).containsOnly(200, 429);
            assertThat(answered).as("answered").isPositive();
            assertThat(refused).as("refused for budget").isPositive();
            assertThat(budget.spentNanoUsd()).isLessThanOrEqualTo(budget.limitNanoUsd());
            assertThat(budget.reservedNanoUsd()).isZero();
            assertThat(budget.spentNanoUsd()).isEqualTo(answered * 7_200);
            assertThat(proxy.store.usage(id).requests()).as("ledger entries")
                    .isEqualTo(openai.stub().journal().size()).isEqualTo(answered);
        }
    }
}

package dev.keysafe.proxy.pages;

import static dev.keysafe.proxy.app.TestProxy.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keysafe.proxy.ClientToken;
import dev.keysafe.proxy.StoreUnavailable;
import dev.keysafe.proxy.app.TestProxy;
import dev.keysafe.proxy.limits.Prices;
import dev.keysafe.proxy.store.InMemoryStore;
import dev.keysafe.proxy.store.Store;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The operator's page in a real browser (headless Chromium): every token state in the API's own
 * words, the alerts and the totals; a token created and revoked from the page, and so in the API;
 * one refresh timer, a wrong admin token that clears the page, sign-out; an empty store and a store
 * outage. After each: nothing in storage or cookies, no console error, no raw instant in the DOM.
 */
class DashboardIT extends PageFixture {

    /** Tokens issued through the admin API, their secrets by name. */
    static final class Tokens {
        final TestProxy proxy;
        final Map<String, String> secrets = new HashMap<>();

        Tokens(TestProxy proxy) {
            this.proxy = proxy;
        }

        String issue(String name, String budgetUsd, int rpm, int maxTokens) {
            secrets.put(name, proxy.issue(name, List.of("gpt-4o-mini"), budgetUsd, rpm, maxTokens));
            return proxy.tokenId(name);
        }

        int chat(String name) {
            return proxy.post("/v1/chat/completions", secrets.get(name), TestProxy.chat("gpt-4o-mini")).statusCode();
        }
    }

    @Test
    void each_tokens_state_the_alerts_and_the_totals_read_as_the_api_says_them() {
        try (TestProxy proxy = TestProxy.start(stub.baseUrl(), KEY.value())) {
            Tokens tokens = new Tokens(proxy);
            tokens.issue("team-app", "5", 60, 1_024);
            for (int i = 0; i < 3; i++) {
                assertThat(tokens.chat("team-app")).isEqualTo(200);
            }
            proxy.spend(tokens.issue("nearly-done", "0.01", 60, 256), 7_995_000);
            assertThat(tokens.chat("nearly-done")).as("crosses 80%").isEqualTo(200);
            lastCall(tokens);
            tokens.issue("tiny-budget", "0.0001", 60, 1_024);
            assertThat(List.of(tokens.chat("tiny-budget"), tokens.chat("tiny-budget"))).containsOnly(429);
            tokens.issue("bursty", "1", 1, 256);
            assertThat(tokens.chat("bursty")).isEqualTo(200);
            expire(proxy, tokens.issue("last-week", "1", 60, 256));
            proxy.delete("/admin/tokens/" + tokens.issue("retired", "1", 60, 256), proxy.adminToken);
            assertThat(proxy.post("/session", null, "").statusCode()).isEqualTo(201);

            browser.driver.get(proxy.base + "/admin");
            signIn(proxy.adminToken);
            browser.waitFor(d -> rows().size() == 7);
            JsonNode usage = json(proxy.get("/admin/usage", proxy.adminToken));
            List<Map<String, Object>> rows = rows();

            Map<String, String> shown = new HashMap<>();
            // The rate limit's wait counts down between the page's answer and the test's.
            rows.forEach(row -> shown.put((String) row.get("name"), (row.get("state") + " | " + row.get("detail"))
                    .replaceAll("next in \\d+ s", "next in N s")));
            Map<String, String> api = new HashMap<>();
            usage.path("data").forEach(t -> {
                if (t.path("kind").asText().equals("client")) {
                    api.put(t.path("name").asText(), (t.path("state").asText().replace('_', ' ') + " | "
                            + t.path("state_detail").asText()).replaceAll("next in \\d+ s", "next in N s"));
                }
            });
            assertThat(shown).as("the page's words are the API's").isEqualTo(api);
            assertThat(shown).hasEntrySatisfying("team-app", s -> assertThat(s).isEqualTo("active | "))
                    .hasEntrySatisfying("nearly-done", s -> assertThat(s).isEqualTo("nearly spent | 80% of the budget spent"))
                    .hasEntrySatisfying("last-call", s -> assertThat(s).matches("blocked \\| needs \\$0\\.0000\\d+, \\$0\\.0000\\d+ left"))
                    .hasEntrySatisfying("tiny-budget", s -> assertThat(s).matches("blocked \\| needs \\$0\\.000\\d+, \\$0\\.0001 left"))
                    .hasEntrySatisfying("bursty", s -> assertThat(s).isEqualTo("rate limited | its limit of 1 a minute is reached; next in N s"))
                    .hasEntrySatisfying("last-week", s -> assertThat(s).isEqualTo("expired | "))
                    .hasEntrySatisfying("retired", s -> assertThat(s).isEqualTo("revoked | "));
            assertThat(row(rows, "tiny-budget")).contains("2 received, last 30 min").contains("0 sent upstream");
            assertThat(row(rows, "team-app")).contains("3 received, last 30 min").contains("3 sent upstream")
                    .containsPattern("peak [1-3]/min of 60 allowed").contains("30 min ago").contains("now");

            List<String> alerts = texts("#alerts li[data-kind=budget_nearly_spent]");
            assertThat(alerts).hasSize(2);
            assertThat(alerts).anySatisfy(a -> assertThat(a).contains("last-call").contains("needs $").contains("left of $1.00"));
            assertThat(alerts).anySatisfy(a -> assertThat(a).contains("nearly-done").contains("spent $0.008 of $0.01"));
            assertThat(alerts).allSatisfy(a -> assertThat(a).containsPattern("just now · .*\\d\\d:\\d\\d"));

            JsonNode summary = usage.path("summary");
            assertThat(text("total-requests")).isEqualTo(summary.path("requests_last_hour").asText()).isEqualTo("6");
            assertThat(text("total-active")).isEqualTo("1");
            assertThat(text("total-spend")).as("last-call's spend, most of $1").matches("\\$1\\.0\\d");
            assertThat(text("total-states")).contains("1 nearly spent", "2 blocked", "1 rate limited", "1 expired", "1 revoked");
            assertThat(text("total-alerts")).isEqualTo("2");
            assertThat(text("sessions-note")).isEqualTo("Chat-page sessions: 1 live, 0 ended (hidden).");
            browser.driver.findElement(By.id("show-sessions")).click();
            assertThat(rows()).hasSize(8).anySatisfy(row -> assertThat((String) row.get("text")).contains("chat-page session"));
            browser.driver.findElement(By.id("show-sessions")).click();

            assertThat(String.valueOf(browser.script("return document.documentElement.outerHTML")))
                    .doesNotContain(proxy.adminToken);
            assertThat(browser.driver.findElement(By.id("admin-token")).getAttribute("value")).isEmpty();
            browser.assertClean();
            browser.assertFitsAndScreenshot("admin");
        }
    }

    @Test
    void a_token_created_and_revoked_on_the_page_is_created_and_revoked_in_the_api() {
        try (TestProxy proxy = TestProxy.start(stub.baseUrl(), KEY.value())) {
            browser.driver.get(proxy.base + "/admin");
            signIn(proxy.adminToken);
            browser.waitFor(d -> d.findElement(By.id("tokens-empty")).isDisplayed());

            type("new-name", "from-the-page");
            type("new-budget", "0.5");
            type("new-rpm", "30");
            new Select(browser.driver.findElement(By.id("new-expiry"))).selectByValue("3600");
            type("new-max-tokens", "300");
            browser.driver.findElement(By.cssSelector("#create button[type=submit]")).click();
            browser.waitFor(d -> d.findElement(By.id("new-token")).isDisplayed());
            String secret = text("new-token-secret");
            browser.waitFor(d -> rows().size() == 1);

            assertThat(secret).startsWith("ksp-");
            JsonNode created = json(proxy.get("/admin/tokens", proxy.adminToken)).path("data").get(0);
            assertThat(created.path("name").asText()).isEqualTo("from-the-page");
            assertThat(created.path("models")).extracting(JsonNode::asText).containsExactly("gpt-4o-mini");
            assertThat(created.path("budget_usd").decimalValue()).isEqualByComparingTo("0.5");
            assertThat(created.path("rpm").asInt()).isEqualTo(30);
            assertThat(created.path("max_tokens").asInt()).isEqualTo(300);
            assertThat(Duration.between(Instant.parse(created.path("created_at").asText()),
                    Instant.parse(created.path("expires_at").asText()))).isEqualTo(Duration.ofHours(1));
            assertThat(proxy.get("/v1/models", secret).statusCode()).as("the new token works").isEqualTo(200);
            browser.driver.findElement(By.id("copy-token")).click();
            browser.waitFor(d -> !text("copy-result").isEmpty());
            browser.driver.findElement(By.id("done-token")).click();
            assertThat(browser.driver.findElement(By.id("new-token")).isDisplayed()).isFalse();
            assertThat(String.valueOf(browser.script("return document.documentElement.outerHTML")))
                    .as("shown once: hidden, it is gone from the page").doesNotContain(secret);

            browser.driver.findElement(By.cssSelector("#tokens button[data-revoke]")).click();
            assertThat(browser.driver.switchTo().alert().getText()).contains("from-the-page").contains("cannot be undone");
            browser.driver.switchTo().alert().accept();
            browser.waitFor(d -> "revoked".equals(rows().get(0).get("state")));

            JsonNode revoked = json(proxy.get("/admin/tokens", proxy.adminToken)).path("data").get(0);
            assertThat(revoked.path("state").asText()).isEqualTo("revoked");
            assertThat(revoked.path("revoked").asBoolean()).isTrue();
            assertThat(proxy.get("/v1/models", secret).statusCode()).as("the revoked token is refused").isEqualTo(401);
            assertThat(text("banner")).isEqualTo("Revoked 'from-the-page' (" + revoked.path("id").asText() + ").");

            browser.driver.findElement(By.cssSelector("#audit-panel summary")).click();
            browser.waitFor(d -> texts("#audit tbody tr").size() >= 2);
            assertThat(texts("#audit tbody tr")).anySatisfy(r -> assertThat(r).contains("token.create").contains("just now"))
                    .anySatisfy(r -> assertThat(r).contains("token.revoke").contains(revoked.path("fingerprint").asText()));
            browser.driver.findElement(By.id("rotate")).click();
            browser.waitFor(d -> text("rotate-result").equals("Read again: the key is unchanged."));

            type("new-name", "no/slashes");
            browser.driver.findElement(By.cssSelector("#create button[type=submit]")).click();
            browser.waitFor(d -> text("banner").startsWith("'name' is required"));
            assertThat(value("new-name")).as("the form is kept").isEqualTo("no/slashes");
            browser.assertClean("400");
        }
    }

    @Test
    void one_timer_polls_a_wrong_admin_token_clears_the_page_and_sign_out_forgets_the_token() {
        try (TestProxy proxy = TestProxy.start(stub.baseUrl(), KEY.value())) {
            proxy.issue("gpt-4o-mini");
            browser.driver.get(proxy.base + "/admin");
            signIn(proxy.adminToken);
            browser.waitFor(d -> rows().size() == 1);
            signIn(proxy.adminToken);
            browser.waitFor(d -> rows().size() == 1 && browser.liveTimers() == 1);
            assertThat(browser.liveTimers()).as("signing in again replaces the timer").isEqualTo(1);

            String wrong = proxy.adminToken.substring(0, proxy.adminToken.length() - 1) + "x";
            signIn(wrong);
            browser.waitFor(d -> text("banner").startsWith("That is not the admin token."));

            assertThat(rows()).as("the old table is gone").isEmpty();
            assertThat(browser.driver.findElement(By.id("dashboard")).isDisplayed()).isFalse();
            assertThat(browser.liveTimers()).as("nothing polls with the wrong token").isZero();
            assertThat(sentWith(wrong)).as("the wrong token was tried once, on usage and alerts")
                    .containsExactlyInAnyOrder("/admin/usage", "/admin/alerts");

            signIn(proxy.adminToken);
            browser.waitFor(d -> rows().size() == 1);
            browser.driver.findElement(By.id("sign-out")).click();

            assertThat(text("banner")).isEqualTo("Signed out: the page has forgotten the admin token.");
            assertThat(rows()).isEmpty();
            assertThat(browser.liveTimers()).isZero();
            assertThat(String.valueOf(browser.script("return document.documentElement.outerHTML")))
                    .doesNotContain(proxy.adminToken);
            browser.assertClean("401");
        }
    }

    @Test
    void an_empty_store_says_how_to_begin_and_a_store_outage_shows_the_servers_message() {
        AtomicBoolean down = new AtomicBoolean();
        try (TestProxy proxy = TestProxy.start(stub.baseUrl(), KEY.value(), failing(new InMemoryStore(), down),
                Clock.systemUTC())) {
            browser.driver.get(proxy.base + "/admin");
            signIn(proxy.adminToken);
            browser.waitFor(d -> d.findElement(By.id("tokens-empty")).isDisplayed());

            assertThat(text("tokens-empty")).startsWith("No client tokens yet. Create the first one below");
            assertThat(browser.driver.findElement(By.id("tokens")).isDisplayed()).isFalse();
            assertThat(browser.driver.findElement(By.id("alerts-empty")).isDisplayed()).isTrue();
            assertThat(text("total-active")).isEqualTo("0");
            assertThat(text("total-spend")).isEqualTo("$0");

            down.set(true);
            signIn(proxy.adminToken);
            browser.waitFor(d -> !text("banner").isEmpty());

            assertThat(text("banner")).isEqualTo("The proxy's database is unreachable; try again shortly. "
                    + "(the server says: retry after " + StoreUnavailable.RETRY_AFTER_SECONDS + " s)");
            browser.assertClean("503");
        }
    }

    /** "last-call": left with exactly what its next request reserves, which then leaves less than any request needs. */
    private static void lastCall(Tokens tokens) {
        String id = tokens.issue("last-call", "1", 60, 100);
        // Counted as Limits counts: the body with the output cap it writes in, plus 16 bytes.
        int bytes = "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\",\"max_output_tokens\":100}"
                .getBytes(StandardCharsets.UTF_8).length;
        tokens.proxy.spend(id, 1_000_000_000 - Prices.defaults().cost("gpt-4o-mini", bytes + 16L, 100));
        assertThat(tokens.proxy.post("/v1/responses", tokens.secrets.get("last-call"),
                "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\"}").statusCode()).isEqualTo(200);
    }

    private static void expire(TestProxy proxy, String id) {
        ClientToken t = proxy.store.token(id).orElseThrow();
        proxy.store.addToken(new ClientToken(t.id(), t.name(), t.hash(), t.fingerprint(), t.models(), t.budgetNanoUsd(),
                t.rpm(), t.maxTokens(), t.createdAt(), Instant.now().minusSeconds(7 * 86_400), false, t.kind()));
    }

    /** A store that throws {@link StoreUnavailable} from every method while {@code down} is set. */
    private static Store failing(Store store, AtomicBoolean down) {
        return (Store) Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[] {Store.class},
                (self, method, args) -> {
                    if (down.get() && method.getDeclaringClass() != Object.class && !method.getName().equals("close")) {
                        throw new StoreUnavailable();
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static void signIn(String token) {
        browser.driver.findElement(By.id("admin-token")).sendKeys(token, Keys.ENTER);
    }

    private static void type(String id, String value) {
        WebElement field = browser.driver.findElement(By.id(id));
        field.clear();
        field.sendKeys(value);
    }

    private static String text(String id) {
        return String.valueOf(browser.script("return document.getElementById(arguments[0]).textContent.trim()", id));
    }

    private static String value(String id) {
        return browser.driver.findElement(By.id(id)).getAttribute("value");
    }

    @SuppressWarnings("unchecked")
    private static List<String> texts(String selector) {
        return (List<String>) browser.script("return [...document.querySelectorAll(arguments[0])].map(e => e.innerText)",
                selector);
    }

    /** The token rows as the page shows them, read in one go (a refresh may redraw them at any time). */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rows() {
        return (List<Map<String, Object>>) browser.script("return [...document.querySelectorAll('#tokens tbody tr')]"
                + ".map(r => ({ id: r.dataset.id, name: r.querySelector('strong').textContent,"
                + " state: r.querySelector('.badge').textContent,"
                + " detail: (r.querySelector('.state-detail') || { textContent: '' }).textContent,"
                + " text: r.textContent }))");
    }

    private static String row(List<Map<String, Object>> rows, String name) {
        return rows.stream().filter(r -> name.equals(r.get("name"))).map(r -> (String) r.get("text")).findFirst()
                .orElseThrow();
    }

    /** The paths the page asked with {@code bearer}. */
    @SuppressWarnings("unchecked")
    private static List<String> sentWith(String bearer) {
        return (List<String>) browser.script("return window.__sent.filter(s => s.auth === 'Bearer ' + arguments[0])"
                + ".map(s => new URL(s.url, location.href).pathname)", bearer);
    }
}

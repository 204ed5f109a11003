package dev.keysafe.proxy.pages;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keysafe.proxy.ClientTokens;
import dev.keysafe.proxy.app.TestProxy;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.stub.Fault;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * The chat page in a real browser (headless Chromium): it asks, streams the answer, sends the
 * conversation along, and says plainly why a question got no answer, keeping it for a retry. Then
 * everything the browser holds or saw is searched for the key: page source, DOM, scripts,
 * storage, cookies, every response body and every request it made (C5, C6); and no request left
 * for another host. The operator's page is {@link DashboardIT}'s.
 */
class BrowserIT extends PageFixture {

    @Test
    void chat_page_streams_an_answer_sends_the_conversation_and_the_key_is_nowhere_in_the_browser() {
        stub.reset();
        stub.acceptKeys(KEY.value());
        try (TestProxy proxy = TestProxy.start(stub.baseUrl(), KEY.value())) {
            browser.driver.get(proxy.base + "/");
            WebElement prompt = browser.driver.findElement(By.id("prompt"));
            browser.script("window.__sendStates = []; const send = document.getElementById('send');"
                    + "new MutationObserver(() => window.__sendStates.push(send.disabled)).observe(send, {attributes: true});");
            prompt.sendKeys("How do I keep my key safe?");
            browser.driver.findElement(By.id("send")).click();
            browser.waitFor(d -> d.findElements(By.cssSelector(".message.assistant[data-state=done]")).size() == 1);

            prompt.sendKeys("And in a browser?", Keys.chord(Keys.SHIFT, Keys.ENTER), "Say it twice.");
            assertThat(prompt.getAttribute("value")).as("Shift+Enter starts a new line")
                    .isEqualTo("And in a browser?\nSay it twice.");
            assertThat(browser.driver.findElements(By.cssSelector(".message.user"))).hasSize(1);
            prompt.sendKeys(Keys.ENTER);
            browser.waitFor(d -> d.findElements(By.cssSelector(".message.assistant[data-state=done]")).size() == 2);

            assertThat(browser.driver.findElements(By.cssSelector(".message.assistant"))).extracting(WebElement::getText)
                    .containsExactly(OpenAiStub.ANSWER, OpenAiStub.ANSWER);
            assertThat(prompt.getAttribute("value")).as("Enter sent the question").isEmpty();
            assertThat(String.valueOf(browser.script("return JSON.stringify(window.__sendStates)")))
                    .as("Send disabled while each answer streamed").isEqualTo("[true,false,true,false]");
            JsonNode lastAsked = json(String.valueOf(browser.script(
                    "return window.__sent.filter(s => s.url.endsWith('/v1/chat/completions')).pop().body")));
            assertThat(lastAsked.path("messages")).extracting(m -> m.path("role").asText() + ": " + m.path("content").asText())
                    .as("the conversation went along").containsExactly("user: How do I keep my key safe?",
                            "assistant: " + OpenAiStub.ANSWER, "user: And in a browser?\nSay it twice.");
            assertThat(browser.driver.findElement(By.id("status")).getText()).isEqualTo("Answered, with the exchange before it.");

            String bodies = String.valueOf(browser.script("return JSON.stringify(window.__bodies)"));
            String everything = String.join("\n",
                    browser.driver.getPageSource(),
                    String.valueOf(browser.script("return document.documentElement.outerHTML")),
                    proxy.get("/chat.js", null).body(),
                    String.valueOf(browser.script("return JSON.stringify(Object.assign({}, localStorage))")),
                    String.valueOf(browser.script("return JSON.stringify(Object.assign({}, sessionStorage))")),
                    browser.driver.manage().getCookies().toString(),
                    bodies);
            List<String> network = browser.driver.manage().logs().get(LogType.PERFORMANCE).getAll().stream()
                    .map(LogEntry::getMessage).toList();
            // Requests actually sent; the browser's own start-page navigation is not one of them.
            List<String> hosts = network.stream().map(BrowserIT::json)
                    .filter(m -> m.at("/message/method").asText().equals("Network.requestWillBeSent"))
                    .map(m -> URI.create(m.at("/message/params/request/url").asText()))
                    .filter(u -> u.getScheme() != null && u.getScheme().startsWith("http"))
                    .map(u -> u.getScheme() + "://" + u.getAuthority()).distinct().toList();

            assertThat(bodies).as("the responses the page read to their end: the session token and both streams")
                    .contains(ClientTokens.PREFIX);
            assertThat(bodies.split("data: \\[DONE\\]", -1)).as("both streams read by the page to the end of "
                    + "their bodies, not only to [DONE]").hasSize(3);
            assertThat(Detectors.inText(KEY, Channel.C5, "page, scripts, storage, cookies, responses", everything)).isEmpty();
            assertThat(network).as("the browser's network log").isNotEmpty();
            assertThat(Detectors.inText(KEY, Channel.C6, "requests the browser sent", String.join("\n", network))).isEmpty();
            assertThat(hosts).as("hosts the browser sent requests to").containsOnly(proxy.base);
            assertThat(stub.bearerTokens()).containsOnly(KEY.value()).hasSize(2);
            browser.assertClean();
            browser.assertFitsAndScreenshot("chat");
            browser.driver.get("about:blank");
            assertThat(browser.driver.manage().logs().get(LogType.PERFORMANCE).getAll()).extracting(LogEntry::getMessage)
                    .as("no request cut off when the page went away: every stream was read to its end")
                    .noneMatch(m -> m.contains("Network.loadingFailed"));
        }
    }

    @Test
    void a_refused_question_is_told_in_its_bubble_in_plain_words_and_kept_for_a_retry() {
        try (TestProxy proxy = TestProxy.start(stub.baseUrl(), KEY.value())) {
            browser.driver.get(proxy.base + "/");
            stub.fault(Fault.SERVER_ERROR_500);
            try {
                ask("Will this fail?");
                browser.waitFor(d -> d.findElements(By.cssSelector(".message.assistant[data-state=failed]")).size() == 1);
            } finally {
                stub.clearFault();
            }
            WebElement failed = browser.driver.findElement(By.cssSelector(".message.assistant"));
            assertThat(failed.getText()).startsWith("The answer could not be fetched just now. (The server says: ");
            WebElement retry = failed.findElement(By.cssSelector("button.retry"));
            assertThat(retry.getText()).isEqualTo("Retry");
            assertThat(browser.driver.findElement(By.id("status")).getText()).contains("Your question is kept");
            retry.click();
            browser.waitFor(d -> d.findElements(By.cssSelector(".message.assistant[data-state=done]")).size() == 1);
            assertThat(browser.driver.findElement(By.cssSelector(".message.assistant")).getText())
                    .as("the retry answered in the same bubble").isEqualTo(OpenAiStub.ANSWER);
            assertThat(browser.driver.findElements(By.cssSelector(".message.user"))).extracting(WebElement::getText)
                    .containsExactly("Will this fail?");

            // Every session this address may have this minute, taken: a fresh page gets the server's 429.
            // The page is loaded first: one session comes back every 6 s, so the page's ask follows at once.
            browser.driver.get(proxy.base + "/");
            for (int i = 0; i < Pages.SESSIONS_PER_MINUTE; i++) {
                proxy.post("/session", null, "");
            }
            ask("Is my question lost?");
            browser.waitFor(d -> d.findElements(By.cssSelector(".message.assistant[data-state=failed]")).size() == 1);

            WebElement refused = browser.driver.findElement(By.cssSelector(".message.assistant"));
            assertThat(refused.getText()).contains("The server would not start a chat session. "
                    + "Too many chat sessions from this address.");
            WebElement wait = refused.findElement(By.cssSelector("button.retry"));
            assertThat(wait.getText()).as("Retry-After, counted down").matches("Retry in [1-9][0-9]? s");
            assertThat(wait.isEnabled()).as("no retry before Retry-After").isFalse();
            assertThat(browser.driver.findElement(By.cssSelector(".message.user")).getText())
                    .isEqualTo("Is my question lost?");
            browser.assertClean("502", "429");
        }
    }

    private static void ask(String question) {
        browser.driver.findElement(By.id("prompt")).sendKeys(question, Keys.ENTER);
    }

    static JsonNode json(String text) {
        try {
            return TestProxy.JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

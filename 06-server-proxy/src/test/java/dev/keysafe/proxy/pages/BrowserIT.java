package dev.keysafe.proxy.pages;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.proxy.ClientTokens;
import dev.keysafe.proxy.app.TestProxy;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real browser (headless Chromium) uses the chat page: it loads {@code /}, sends a prompt and
 * sees the streamed answer. Then everything the browser holds or saw is searched for the key:
 * page source, DOM, scripts, local and session storage, cookies, every response body and every
 * request it made (C5, C6); and no request left for another host.
 */
class BrowserIT {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Canary KEY = Canary.fresh();

    /** Records every response body the page's fetch() receives; injected by the test, not shipped. */
    static final String RECORD_FETCH = """
            window.__bodies = [];
            const original = window.fetch;
            window.fetch = async (...args) => {
              const response = await original(...args);
              response.clone().text().then(text => window.__bodies.push(text));
              return response;
            };""";

    @Test
    void chat_page_streams_an_answer_and_the_key_is_nowhere_in_the_browser(@TempDir Path profile) throws Exception {
        boolean browserHere = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        // CI installs Chromium (.ci/run), so there a missing browser is a failure, not a skip.
        if ("true".equals(System.getenv("CI"))) {
            assertThat(browserHere).as("CI must have /usr/bin/chromium and /usr/bin/chromedriver (see .ci/run)").isTrue();
        }
        Assumptions.assumeTrue(browserHere,
                "no headless Chromium here: install Debian's chromium and chromium-driver to run the browser test");
        try (OpenAiStub stub = OpenAiStub.start().acceptKeys(KEY.value());
             TestProxy proxy = TestProxy.start(stub.baseUrl(), KEY.value())) {
            ChromeDriver browser = start(profile);
            try {
                browser.get(proxy.base + "/");
                ((JavascriptExecutor) browser).executeScript(RECORD_FETCH);
                browser.findElement(By.id("prompt")).sendKeys("How do I keep my key safe?");
                browser.findElement(By.id("send")).click();
                new WebDriverWait(browser, Duration.ofSeconds(15)).until(d ->
                        "done".equals(d.findElement(By.id("status")).getText()));

                String answer = browser.findElement(By.cssSelector(".message.assistant")).getText();
                String everything = String.join("\n",
                        browser.getPageSource(),
                        String.valueOf(script(browser, "return document.documentElement.outerHTML")),
                        proxy.get("/chat.js", null).body(),
                        String.valueOf(script(browser, "return JSON.stringify(Object.assign({}, localStorage))")),
                        String.valueOf(script(browser, "return JSON.stringify(Object.assign({}, sessionStorage))")),
                        browser.manage().getCookies().toString(),
                        String.valueOf(script(browser, "return JSON.stringify(window.__bodies)")));
                List<String> network = browser.manage().logs().get(LogType.PERFORMANCE).getAll().stream()
                        .map(LogEntry::getMessage).collect(Collectors.toList());
                // Requests actually sent; the browser's own start-page navigation is not one of them.
                List<String> hosts = network.stream().map(BrowserIT::json)
                        .filter(m -> m.at("/message/method").asText().equals("Network.requestWillBeSent"))
                        .map(m -> URI.create(m.at("/message/params/request/url").asText()))
                        .filter(u -> u.getScheme() != null && u.getScheme().startsWith("http"))
                        .map(u -> u.getScheme() + "://" + u.getAuthority()).distinct().toList();

                assertThat(answer).isEqualTo(OpenAiStub.ANSWER);
                assertThat(String.valueOf(script(browser, "return JSON.stringify(window.__bodies)")))
                        .as("the responses were recorded: the session token and the stream")
                        .contains(ClientTokens.PREFIX).contains("data: [DONE]");
                assertThat(Detectors.inText(KEY, Channel.C5, "page, scripts, storage, cookies, responses", everything))
                        .isEmpty();
                assertThat(network).as("the browser's network log").isNotEmpty();
                assertThat(Detectors.inText(KEY, Channel.C6, "requests the browser sent", String.join("\n", network)))
                        .isEmpty();
                assertThat(hosts).as("hosts the browser sent requests to").containsOnly(proxy.base);
                assertThat(browser.manage().getCookies()).isEmpty();
                assertThat(stub.bearerTokens()).containsOnly(KEY.value()).hasSize(1);
            } finally {
                browser.quit();
            }
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode json(String text) {
        try {
            return TestProxy.JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError("the browser's log is not JSON", e);
        }
    }

    private static Object script(ChromeDriver browser, String code) {
        return ((JavascriptExecutor) browser).executeScript(code);
    }

    /** Headless Chromium from Debian, driven by Debian's chromedriver, both named so nothing is downloaded. */
    private static ChromeDriver start(Path profile) {
        // Selenium warns (through java.util.logging) that it has no DevTools bindings for this
        // Chromium; the test does not use them.
        java.util.logging.Logger.getLogger("org.openqa.selenium").setLevel(Level.SEVERE);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--no-first-run", "--disable-quic", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile.toAbsolutePath());
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.PERFORMANCE, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogOutput(java.io.OutputStream.nullOutputStream())
                .build();
        return new ChromeDriver(service, options);
    }
}

package dev.keysafe.proxy.pages;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.opentest4j.TestAbortedException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Chromium (Debian's, driven by Debian's chromedriver, both named so nothing is
 * downloaded), with what the page tests check in it: storage, cookies, console errors, raw
 * instants, the width of a phone, and screenshots. Every page it opens gets {@link #RECORDER}
 * first: its timers and its fetch calls are recorded for the tests to read. One browser serves
 * every test class of the run ({@link Shared}): starting Chromium is the slow part.
 */
final class Browser implements AutoCloseable {

    /** Hands a test class the run's one browser, started on first use and closed when the run ends. */
    static final class Shared implements ParameterResolver {
        private static final ExtensionContext.Namespace HERE = ExtensionContext.Namespace.create(Browser.class);

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == Browser.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            // The root store closes what it holds (an AutoCloseable) when the whole run ends.
            return context.getRoot().getStore(HERE).getOrComputeIfAbsent(Browser.class, key -> start(), Browser.class);
        }
    }

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    static final int DESKTOP = 1280;
    static final int PHONE = 390;
    /** An instant as the API writes it; a page shows times in words and the operator's local time instead. */
    static final Pattern RAW_INSTANT = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d");

    /**
     * Injected before any script of the page (test instrumentation, not shipped): which interval
     * timers are live, each fetch call (URL, bearer, body) and each response body the page read to
     * its end.
     */
    static final String RECORDER = """
            window.__intervals = new Set();
            const setTimer = window.setInterval.bind(window), clearTimer = window.clearInterval.bind(window);
            window.setInterval = (f, ms, ...rest) => { const id = setTimer(f, ms, ...rest); window.__intervals.add(id); return id; };
            window.clearInterval = (id) => { window.__intervals.delete(id); clearTimer(id); };
            window.__sent = [];
            window.__bodies = [];
            const original = window.fetch.bind(window);
            window.fetch = async (...args) => {
              const init = args[1] || {};
              window.__sent.push({ url: String(args[0]), auth: (init.headers || {}).Authorization || null, body: init.body || null });
              const response = await original(...args);
              if (!response.body || [204, 205, 304].includes(response.status)) {
                return response; // no body to read (and a Response with one of these statuses may hold none)
              }
              // Read from the network only when the page reads (no read-ahead), and recorded only once
              // the page's own read has reached the end of the body.
              const decoder = new TextDecoder();
              const source = response.body.getReader();
              let text = "";
              const read = new ReadableStream({
                async pull(out) {
                  const { value, done } = await source.read();
                  if (done) {
                    window.__bodies.push(text);
                    out.close();
                    return;
                  }
                  text += decoder.decode(value, { stream: true });
                  out.enqueue(value);
                },
                cancel(reason) { return source.cancel(reason); },
              }, { highWaterMark: 0 });
              return new Response(read, { status: response.status, statusText: response.statusText, headers: response.headers });
            };""";

    final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** A browser on a fresh profile; skipped where Chromium is missing, failed on CI. */
    static Browser start() {
        boolean here = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        // CI installs Chromium (.ci/run), so there a missing browser is a failure, not a skip.
        if ("true".equals(System.getenv("CI"))) {
            assertThat(here).as("CI must have /usr/bin/chromium and /usr/bin/chromedriver (see .ci/run)").isTrue();
        }
        if (!here) {
            throw new TestAbortedException("no headless Chromium here: install Debian's chromium and "
                    + "chromium-driver to run the browser tests");
        }
        // Selenium warns (through java.util.logging) that it has no DevTools bindings for this
        // Chromium; the tests use chromedriver's own commands only.
        java.util.logging.Logger.getLogger("org.openqa.selenium").setLevel(Level.SEVERE);
        Path profile;
        try {
            profile = Files.createTempDirectory("keysafe-chromium");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--no-first-run", "--disable-quic", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=" + DESKTOP + ",900",
                "--user-data-dir=" + profile.toAbsolutePath());
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.PERFORMANCE, Level.ALL);
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogOutput(OutputStream.nullOutputStream())
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", RECORDER));
        return new Browser(driver, profile);
    }

    Object script(String code, Object... args) {
        return driver.executeScript(code, args);
    }

    /** Waits up to 15 s for {@code condition}; a timeout says what the page showed. */
    void waitFor(Function<WebDriver, Boolean> condition) {
        try {
            new WebDriverWait(driver, Duration.ofSeconds(15), Duration.ofMillis(50)).until(condition::apply);
        } catch (TimeoutException e) {
            throw new AssertionError("the page never got there; it shows:\n" + script("return document.body.innerText"));
        }
    }

    /** Forgets what the console and the network log hold so far. */
    void drainLogs() {
        driver.manage().logs().get(LogType.BROWSER);
        driver.manage().logs().get(LogType.PERFORMANCE);
    }

    /** Interval timers the page has running now. */
    long liveTimers() {
        return ((Number) script("return window.__intervals.size")).longValue();
    }

    /**
     * What every page must keep to, checked in its current state: nothing in storage, no cookie, no
     * raw instant in the DOM, and no console error but failed loads with one of {@code statuses}, which
     * the test provoked (Chromium logs every 4xx and 5xx a fetch receives).
     */
    void assertClean(String... statuses) {
        assertThat(script("return localStorage.length + sessionStorage.length")).as("storage").isEqualTo(0L);
        assertThat(driver.manage().getCookies()).as("cookies").isEmpty();
        String dom = String.valueOf(script("return document.documentElement.outerHTML"));
        assertThat(RAW_INSTANT.matcher(dom).find()).as("a raw instant in the DOM").isFalse();
        List<String> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(message -> Arrays.stream(statuses).noneMatch(s -> message.contains("status of " + s + " ")))
                .toList();
        assertThat(errors).as("console errors").isEmpty();
    }

    /** At a phone's width the page does not scroll sideways; screenshots at both widths go to target/screenshots. */
    void assertFitsAndScreenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            for (int width : new int[] {DESKTOP, PHONE}) {
                emulate(width, 900);
                long height = ((Number) script("return document.documentElement.scrollHeight")).longValue();
                emulate(width, (int) Math.min(Math.max(height, 600), 4000));
                assertThat(((Number) script("return document.documentElement.scrollWidth")).longValue())
                        .as(name + " at " + width + " px scrolls sideways")
                        .isLessThanOrEqualTo(((Number) script("return window.innerWidth")).longValue());
                Files.write(SCREENSHOTS.resolve(name + "-" + width + ".png"), driver.getScreenshotAs(OutputType.BYTES));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    private void emulate(int width, int height) {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height,
                "deviceScaleFactor", 1, "mobile", width < 600));
    }

    @Override
    public void close() throws IOException {
        driver.quit();
        try (Stream<Path> files = Files.walk(profile)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}

package dev.keysafe.workshop.room;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Headless Chromium from Debian, driven by Debian's chromedriver, both named so nothing is
 * downloaded; with its network and console logs, as 06's browser test reads them.
 */
final class Chromium {

    static final Path BINARY = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    private Chromium() {
    }

    /** True when the browser is installed; on CI (CI=true) a missing browser fails the test instead. */
    static boolean here() {
        boolean here = Files.isExecutable(BINARY) && Files.isExecutable(DRIVER);
        if ("true".equals(System.getenv("CI"))) {
            assertThat(here).as("CI must have /usr/bin/chromium and /usr/bin/chromedriver").isTrue();
        }
        return here;
    }

    /** Skips the calling test where no browser is installed (never on CI, see {@link #here}). */
    static void assumeHere() {
        Assumptions.assumeTrue(here(),
                "no headless Chromium here: install Debian's chromium and chromium-driver to run the browser tests");
    }

    static ChromeDriver start(Path profile) {
        // Selenium warns (through java.util.logging) that it has no DevTools bindings for this
        // Chromium; the tests do not use them.
        java.util.logging.Logger.getLogger("org.openqa.selenium").setLevel(Level.SEVERE);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BINARY.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--no-first-run", "--disable-quic", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile.toAbsolutePath());
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.PERFORMANCE, Level.ALL);
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .withLogOutput(java.io.OutputStream.nullOutputStream())
                .build();
        return new ChromeDriver(service, options);
    }
}

package dev.keysafe.proxy.pages;

import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.stub.OpenAiStub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The set-up of a browser test class: the run's one {@link Browser}, a stub of OpenAI accepting
 * {@link #KEY} for the class, and a blank page with empty logs before each test. Its stub is one
 * per test class at a time, so a subclass keeps the kit's default of running its class alone.
 */
@ExtendWith(Browser.Shared.class)
abstract class PageFixture {

    static final Canary KEY = Canary.fresh();

    static Browser browser;
    static OpenAiStub stub;

    @BeforeAll
    static void start(Browser shared) {
        browser = shared;
        stub = OpenAiStub.start().acceptKeys(KEY.value());
    }

    @AfterAll
    static void stop() {
        if (stub != null) {
            stub.close();
        }
    }

    @BeforeEach
    void forgetEarlierLogs() {
        browser.driver.get("about:blank");
        browser.drainLogs();
    }
}

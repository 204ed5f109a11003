package dev.keysafe.proxy.app;

import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.stub.OpenAiStubExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The set-up of a test class that talks to one proxy: a stub of OpenAI accepting {@link #KEY},
 * and before each test a fresh full proxy in front of it ({@link #proxy}), closed after. Public,
 * for the tests of every package. Its stub is one per test class at a time, so a subclass keeps
 * the kit's default of running its class alone (no {@code @Execution(CONCURRENT)}).
 */
public abstract class ProxyFixture {

    /** The server's upstream key, the one key the stub accepts. */
    protected static final Canary KEY = Canary.fresh();

    @RegisterExtension
    protected static final OpenAiStubExtension openai = OpenAiStubExtension.accepting(KEY.value());

    protected TestProxy proxy;

    @BeforeEach
    void startProxy() {
        proxy = TestProxy.start(openai.stub().baseUrl(), KEY.value());
    }

    @AfterEach
    void stopProxy() {
        proxy.close();
    }
}

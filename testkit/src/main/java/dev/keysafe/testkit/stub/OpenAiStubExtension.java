package dev.keysafe.testkit.stub;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension owning one {@link OpenAiStub} per test class: started before the first test,
 * reset before each, stopped after the last. A request that matched no route fails the test, so a
 * module calling an endpoint OpenAI does not have cannot pass by accident.
 *
 * <pre>{@code @RegisterExtension static final OpenAiStubExtension openai = new OpenAiStubExtension();}</pre>
 */
public class OpenAiStubExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback,
        AfterAllCallback {

    private OpenAiStub stub;

    /** An extension whose stub accepts exactly {@code keys} in every test (the usual set-up). */
    public static OpenAiStubExtension accepting(String... keys) {
        String[] accepted = keys.clone();
        return new OpenAiStubExtension() {
            @Override
            protected void onBeforeEach(OpenAiStub stub) {
                stub.acceptKeys(accepted);
            }
        };
    }

    /** The running stub; valid between the class's first and last test. */
    public OpenAiStub stub() {
        if (stub == null) {
            throw new IllegalStateException("the stub starts before the first test; register the extension as static");
        }
        return stub;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        stub = OpenAiStub.start();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        stub.reset();
        onBeforeEach(stub);
    }

    /** Hook for subclasses: accept keys or switch faults before every test. */
    protected void onBeforeEach(OpenAiStub stub) {
    }

    @Override
    public void afterEach(ExtensionContext context) {
        var unmatched = stub.unmatchedRequests();
        if (!unmatched.isEmpty() && context.getExecutionException().isEmpty()) {
            throw new AssertionError("the stub received requests it has no route for: " + unmatched);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (stub != null) {
            stub.close();
            stub = null;
        }
    }
}

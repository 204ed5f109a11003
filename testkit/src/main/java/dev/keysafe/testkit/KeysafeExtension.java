package dev.keysafe.testkit;

import dev.keysafe.testkit.stub.OpenAiStub;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The JUnit 5 side of {@link KeysafeTest}: per test, a fresh {@link Keysafe} with an OpenAI stub of
 * its own that accepts its key (so tests may run side by side), stopped after the test. A request
 * the stub has no route for fails the test, so an app that calls an endpoint OpenAI does not have
 * cannot pass by accident.
 *
 * <p>Use it through {@link KeysafeTest}, or register it yourself:
 * {@code @RegisterExtension static KeysafeExtension keysafe = new KeysafeExtension();}
 */
public class KeysafeExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KeysafeExtension.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        OpenAiStub stub = OpenAiStub.start();
        Keysafe keysafe = new Keysafe(Canary.fresh(), stub);
        stub.acceptOnly(keysafe.key().value());
        context.getStore(NAMESPACE).put(Keysafe.class, keysafe);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Keysafe keysafe = context.getStore(NAMESPACE).remove(Keysafe.class, Keysafe.class);
        if (keysafe == null) {
            return;
        }
        try (OpenAiStub stub = keysafe.openAi()) {
            var unmatched = stub.unmatchedRequests();
            if (!unmatched.isEmpty() && context.getExecutionException().isEmpty()) {
                throw new AssertionError("the OpenAI stub received requests it has no route for (OpenAI has no such "
                        + "endpoint either): " + unmatched);
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Keysafe.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Keysafe keysafe = context.getStore(NAMESPACE).get(Keysafe.class, Keysafe.class);
        if (keysafe == null) {
            throw new IllegalStateException("Keysafe is given to test methods only (not to constructors or @BeforeAll)");
        }
        return keysafe;
    }
}

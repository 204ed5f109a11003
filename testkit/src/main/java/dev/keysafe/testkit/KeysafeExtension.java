package dev.keysafe.testkit;

import dev.keysafe.testkit.stub.OpenAiStub;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The JUnit 5 side of {@link KeysafeTest}: one OpenAI stub per test class (started before the
 * first test, stopped after the last), and per test a fresh {@link Keysafe}, whose key the stub
 * accepts. After each test, a request the stub has no route for fails the test, so an app that
 * calls an endpoint OpenAI does not have cannot pass by accident.
 *
 * <p>Use it through {@link KeysafeTest}, or register it yourself:
 * {@code @RegisterExtension static KeysafeExtension keysafe = new KeysafeExtension();}
 */
public class KeysafeExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback,
        ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KeysafeExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NAMESPACE).put(OpenAiStub.class, new StubResource(OpenAiStub.start()));
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        OpenAiStub stub = stub(context);
        stub.reset();
        Keysafe keysafe = new Keysafe(Canary.fresh(), stub);
        stub.acceptOnly(keysafe.key().value());
        context.getStore(NAMESPACE).put(Keysafe.class, keysafe);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        OpenAiStub stub = stub(context);
        var unmatched = stub.unmatchedRequests();
        if (!unmatched.isEmpty() && context.getExecutionException().isEmpty()) {
            throw new AssertionError("the OpenAI stub received requests it has no route for (OpenAI has no such "
                    + "endpoint either): " + unmatched);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        // The store closes the stub (StubResource) when the class's context ends.
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

    /** The class's stub: found in this context or a parent's (a nested class shares its outer class's). */
    private static OpenAiStub stub(ExtensionContext context) {
        StubResource resource = context.getStore(NAMESPACE).get(OpenAiStub.class, StubResource.class);
        if (resource == null) {
            throw new IllegalStateException("the OpenAI stub starts before the first test: put @KeysafeTest on the class");
        }
        return resource.stub();
    }

    private record StubResource(OpenAiStub stub) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() {
            stub.close();
        }
    }
}

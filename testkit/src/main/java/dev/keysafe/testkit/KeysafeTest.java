package dev.keysafe.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A JUnit 5 test class that proves an app keeps its OpenAI key: each test method may take a
 * {@link Keysafe} parameter, which holds a fresh throwaway key and a running OpenAI stub.
 *
 * <pre>{@code
 * @KeysafeTest
 * class MyAppKeepsItsKeyTest {
 *     @Test
 *     void key_reaches_openai_and_nowhere_else(Keysafe keysafe) {
 *         AppRun run = keysafe.app("com.example.Main").withOpenAiKeyIn("OPENAI_API_KEY").args("hi").run();
 *         assertThat(run.exitCode()).isZero();
 *         keysafe.assertKeyReachedOpenAiAndNowhereElse();
 *     }
 * }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(KeysafeExtension.class)
public @interface KeysafeTest {
}

package dev.keysafe.dotenv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import io.github.cdimascio.dotenv.Dotenv;
import io.github.cdimascio.dotenv.DotenvEntry;
import io.github.cdimascio.dotenv.DotenvException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dotenv-java's traps, pinned: what the library does when used plainly. Each test here shows a
 * leak that {@link DotenvFile} steps around (and that {@code DotenvFileTest} proves it does); if
 * an upgrade of dotenv-java changes one, its test here fails and the README needs a look.
 * (The fourth trap, the classpath fallback, needs a JVM of its own: {@code DotenvClasspathTest}.)
 */
class DotenvTrapsTest {

    @TempDir
    Path dir;

    @Test
    void plain_dotenv_quotes_the_whole_malformed_line_value_included_in_its_exception() throws IOException {
        Canary key = Canary.fresh();
        Files.writeString(dir.resolve(".env"), "export OPENAI_API_KEY=" + key.value() + "\n");

        DotenvException thrown = catchThrowableOfType(DotenvException.class,
                () -> Dotenv.configure().directory(dir.toString()).load());

        assertThat(Detectors.inThrowable(key, thrown)).as("forms of the key in dotenv's own exception")
                .isNotEmpty();
    }

    @Test
    void plain_dotenv_system_properties_copies_file_values_even_where_the_environment_wins() throws IOException {
        // PATH is set in every environment, so the real environment wins for dotenv.get("PATH")...
        assertThat(System.getenv("PATH")).isNotBlank();
        Files.writeString(dir.resolve(".env"), "PATH=from-the-file\n");
        String before = System.getProperty("PATH");
        try {
            Dotenv dotenv = Dotenv.configure().directory(dir.toString()).systemProperties().load();

            assertThat(dotenv.get("PATH")).isEqualTo(System.getenv("PATH"));
            // ...and still the file's value is copied into the JVM's system properties.
            assertThat(System.getProperty("PATH")).isEqualTo("from-the-file");
        } finally {
            if (before == null) {
                System.clearProperty("PATH");
            } else {
                System.setProperty("PATH", before);
            }
        }
    }

    @Test
    void plain_dotenv_entry_to_string_prints_name_and_value() {
        Canary key = Canary.fresh();

        String printed = String.valueOf(new DotenvEntry("OPENAI_API_KEY", key.value()));

        assertThat(Detectors.inText(key, Channel.C8, "DotenvEntry.toString()", printed)).isNotEmpty();
    }
}

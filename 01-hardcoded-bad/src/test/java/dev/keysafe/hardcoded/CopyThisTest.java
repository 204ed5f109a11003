package dev.keysafe.hardcoded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.testkit.docs.ReadmeSection;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The negative control's "Copy this" section lists nothing to copy and sends the reader to 02. */
class CopyThisTest {

    @Test
    void readme_lists_no_file_and_no_dependency_to_copy() throws Exception {
        Path readme = Path.of(System.getProperty("basedir", ".")).resolve("README.md");
        ReadmeSection section = ReadmeSection.copyThis(readme);

        assertThat(section.files()).isEmpty();
        assertThat(section.dependencies()).isEmpty();
        assertThat(Files.readString(readme)).contains("## Copy this into your project\nNothing. Copy [02-env-vars]");
    }
}

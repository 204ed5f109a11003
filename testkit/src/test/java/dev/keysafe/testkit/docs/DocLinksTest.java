package dev.keysafe.testkit.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocLinksTest {

    /** The kit's root: the testkit's parent folder. */
    private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent();

    @Test
    void every_link_in_the_kits_markdown_points_at_an_existing_file_line_range_or_heading() {
        List<Path> docs = DocLinks.markdownFiles(ROOT);
        assertThat(docs).as("Markdown files of the kit").contains(ROOT.resolve("README.md"))
                .anyMatch(p -> p.endsWith("06-server-proxy/README.md"));

        List<DocLinks.Broken> broken = new ArrayList<>();
        docs.forEach(doc -> broken.addAll(DocLinks.check(doc)));

        assertThat(broken).as("broken links").isEmpty();
    }

    @Test
    void a_missing_file_a_range_past_the_end_and_an_unknown_heading_are_reported(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("Code.java"), "class Code {\n}\n");
        Files.writeString(dir.resolve("OTHER.md"), "# Other\n\n## Run it\n");
        Files.writeString(dir.resolve("README.md"), String.join("\n",
                "# Readme", "[ok](Code.java#L1-L2) [ok](OTHER.md#run-it) [ok](#readme) [web](https://example.com/x)",
                "[gone](Missing.java)", "[past](Code.java#L2-L9)", "[heading](OTHER.md#settings)", "```",
                "[in a fence](Nowhere.java)", "```", ""));

        List<DocLinks.Broken> broken = DocLinks.check(dir.resolve("README.md"));

        assertThat(broken).extracting(DocLinks.Broken::target)
                .containsExactly("Missing.java", "Code.java#L2-L9", "OTHER.md#settings");
        assertThat(broken).extracting(DocLinks.Broken::line).containsExactly(3, 4, 5);
    }
}

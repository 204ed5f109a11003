package dev.keysafe.testkit.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CopyThisTest {

    private static final String TREE = String.join("\n",
            "dev.keysafe:demo:jar:0.1.0",
            "+- com.fasterxml.jackson.core:jackson-databind:jar:2.18.9:compile",
            "|  +- com.fasterxml.jackson.core:jackson-annotations:jar:2.18.9:compile",
            "|  \\- com.fasterxml.jackson.core:jackson-core:jar:2.18.9:compile",
            "+- org.slf4j:slf4j-api:jar:2.0.17:compile",
            "\\- org.junit.jupiter:junit-jupiter:jar:5.14.4:test", "");

    @Test
    void the_lesson_part_lists_java_links_and_backticked_dependencies_only(@TempDir Path dir) throws IOException {
        Path readme = readme(dir, "Uses.java");

        ReadmeSection section = ReadmeSection.copyThis(readme);

        assertThat(section.files()).containsExactly(dir.resolve("src/main/java/Uses.java"));
        assertThat(section.dependencies()).containsExactly("com.fasterxml.jackson.core:jackson-databind");
    }

    @Test
    void a_file_using_only_what_the_section_names_compiles(@TempDir Path dir) throws IOException {
        Path readme = readme(dir, "Uses.java");
        write(dir.resolve("src/main/java/Uses.java"), "package demo; public class Uses { "
                + "com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper(); }");
        Files.writeString(dir.resolve("tree.txt"), TREE);

        CopyThis.Result result = CopyThis.compile(ReadmeSection.copyThis(readme), DependencyTree.read(dir.resolve("tree.txt")),
                CopyThis.thisClassPath(), dir.resolve("scratch"));

        assertThat(result.errors()).isEmpty();
        assertThat(result.classpath()).anyMatch(jar -> jar.toString().contains("jackson-core"));
        assertThat(dir.resolve("scratch/classes/demo/Uses.class")).exists();
    }

    @Test
    void a_file_using_a_library_the_section_does_not_name_fails_to_compile(@TempDir Path dir) throws IOException {
        Path readme = readme(dir, "Uses.java");
        // SLF4J is on this JVM's class path and in the tree, but the README does not name it.
        write(dir.resolve("src/main/java/Uses.java"), "package demo; public class Uses { org.slf4j.Logger log; }");
        Files.writeString(dir.resolve("tree.txt"), TREE);

        CopyThis.Result result = CopyThis.compile(ReadmeSection.copyThis(readme), DependencyTree.read(dir.resolve("tree.txt")),
                CopyThis.thisClassPath(), dir.resolve("scratch"));

        assertThat(result.compiled()).isFalse();
        assertThat(result.errors()).anyMatch(e -> e.contains("org.slf4j"));
    }

    @Test
    void a_file_the_section_forgot_fails_the_compile_of_the_ones_it_lists(@TempDir Path dir) throws IOException {
        Path readme = readme(dir, "Uses.java");
        write(dir.resolve("src/main/java/Uses.java"), "package demo; public class Uses { Helper h; }");
        write(dir.resolve("src/main/java/Helper.java"), "package demo; class Helper { }");
        Files.writeString(dir.resolve("tree.txt"), TREE);

        CopyThis.Result result = CopyThis.compile(ReadmeSection.copyThis(readme), DependencyTree.read(dir.resolve("tree.txt")),
                CopyThis.thisClassPath(), dir.resolve("scratch"));

        assertThat(result.errors()).anyMatch(e -> e.contains("Helper"));
    }

    @Test
    void a_listed_file_that_does_not_exist_or_a_dependency_the_module_lacks_is_an_error(@TempDir Path dir)
            throws IOException {
        Files.writeString(dir.resolve("tree.txt"), TREE);
        Path gone = readme(dir, "Gone.java");
        assertThatThrownBy(() -> CopyThis.compile(ReadmeSection.copyThis(gone), DependencyTree.read(dir.resolve("tree.txt")),
                List.of(), dir.resolve("a"))).hasMessageContaining("does not exist");

        Files.writeString(dir.resolve("README.md"), "## Copy this into your project\n\nDependencies: `io.javalin:javalin`.\n");
        assertThatThrownBy(() -> CopyThis.compile(ReadmeSection.copyThis(dir.resolve("README.md")),
                DependencyTree.read(dir.resolve("tree.txt")), List.of(), dir.resolve("b")))
                .hasMessageContaining("not a dependency of the module");
    }

    @Test
    void the_dependency_tree_gives_a_dependency_and_what_it_brings_test_scope_left_out(@TempDir Path dir)
            throws IOException {
        Files.writeString(dir.resolve("tree.txt"), TREE);
        DependencyTree tree = DependencyTree.read(dir.resolve("tree.txt"));

        assertThat(tree.closure("com.fasterxml.jackson.core:jackson-databind")).extracting(DependencyTree.Node::artifactId)
                .containsExactly("jackson-databind", "jackson-annotations", "jackson-core");
        assertThat(tree.closure("org.junit.jupiter:junit-jupiter")).isEmpty();
    }

    private static Path readme(Path dir, String file) throws IOException {
        return Files.writeString(dir.resolve("README.md"), String.join("\n",
                "# Demo", "", "## Copy this into your project", "",
                "- [`" + file + "`](src/main/java/" + file + "): the lesson", "- [the test](src/test/java/UsesTest.java)", "- [a doc](NOTES.md)", "",
                "Dependencies: `com.fasterxml.jackson.core:jackson-databind`.", "",
                "### What each subpackage adds", "- [`Ops.java`](src/main/java/ops/Ops.java): adds `org.slf4j:slf4j-api`", "",
                "## Try breaking it", "- [`Other.java`](src/main/java/Other.java)", ""));
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}

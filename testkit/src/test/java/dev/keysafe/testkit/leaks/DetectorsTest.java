package dev.keysafe.testkit.leaks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.testkit.Canary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each detector finds a planted canary, and stays quiet on clean input. */
class DetectorsTest {

    private final Canary canary = Canary.fresh();

    @TempDir
    Path dir;

    @Test
    void text_detector_names_channel_place_and_form_but_never_the_key() {
        List<Finding> found = Detectors.inText(canary, Channel.C7, "stderr", "INFO key=" + canary.value());

        assertThat(found).singleElement().satisfies(f -> {
            assertThat(f.channel()).isEqualTo(Channel.C7);
            assertThat(f.toString()).contains("stderr").contains("plain").doesNotContain(canary.value());
        });
        assertThat(Detectors.inText(canary, Channel.C7, "stderr", "INFO nothing to see")).isEmpty();
    }

    @Test
    void throwable_detector_reads_every_cause() {
        Exception thrown = new IllegalStateException("outer",
                new RuntimeException("upstream said: Incorrect API key provided: " + canary.maskedForm()));

        assertThat(Detectors.inThrowable(canary, thrown)).extracting(Finding::form).contains("masked (OpenAI 401 echo)");
        assertThat(Detectors.inThrowable(canary, new IllegalStateException("clean"))).isEmpty();
    }

    @Test
    void object_detector_checks_to_string_and_json() {
        record LeakyConfig(String apiKey) {
        }
        Object safe = new Object() {
            @Override
            public String toString() {
                return "Holder[" + canary.fingerprint() + "]";
            }
        };

        assertThat(Detectors.inObjects(canary, List.of(new LeakyConfig(canary.value()))))
                .extracting(Finding::where).contains("LeakyConfig.toString()", "LeakyConfig as JSON");
        assertThat(Detectors.inObjects(canary, List.of(safe))).isEmpty();
    }

    @Test
    void file_and_jar_detectors_find_the_key_in_nested_and_compressed_files() throws IOException {
        Path nested = Files.createDirectories(dir.resolve("a/b")).resolve("hs_err_pid1.log");
        Files.writeString(nested, "env: OPENAI_API_KEY=" + canary.value());
        Path jar = dir.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new ZipEntry("app/Config.class"));
            out.write(("\u0001\u0000 constant " + canary.value() + " \u0000").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            out.closeEntry();
        }

        assertThat(Detectors.inTree(canary, Channel.C13, dir)).extracting(Finding::where)
                .anyMatch(w -> w.endsWith("hs_err_pid1.log")).anyMatch(w -> w.equals("app.jar!/app/Config.class"));
        assertThat(Detectors.inTree(Canary.fresh(), Channel.C13, dir)).isEmpty();
    }

    @Test
    void history_detector_finds_a_key_deleted_in_a_later_commit() throws Exception {
        try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
            Path source = Files.createDirectories(dir.resolve("app")).resolve("Config.java");
            Files.writeString(source, "class Config { String key = \"" + canary.value() + "\"; }");
            git.add().addFilepattern(".").call();
            git.commit().setMessage("add config").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com").call();
            Files.writeString(source, "class Config { String key = System.getenv(\"OPENAI_API_KEY\"); }");
            git.add().addFilepattern(".").call();
            git.commit().setMessage("remove key").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com").call();
        }

        assertThat(Detectors.inWorkingTree(canary, dir)).isEmpty();
        assertThat(Detectors.inGitHistory(canary, dir)).singleElement()
                .satisfies(f -> assertThat(f.where()).startsWith("commit ").endsWith("app/Config.java"));
        assertThat(Detectors.inGitHistory(canary, dir.resolve("app"))).hasSize(1);
        assertThat(GitPlaces.isInGitCheckout(dir)).isTrue();
    }

    @Test
    void working_tree_detector_skips_ignored_files_but_reads_untracked_ones() throws Exception {
        try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
            Files.writeString(dir.resolve(".gitignore"), ".env\n");
            git.add().addFilepattern(".gitignore").call();
            git.commit().setMessage("ignore").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com").call();
        }
        Files.writeString(dir.resolve(".env"), "OPENAI_API_KEY=" + canary.value());
        assertThat(Detectors.inWorkingTree(canary, dir)).isEmpty();

        Files.writeString(dir.resolve("notes.txt"), "remember " + canary.value());
        assertThat(Detectors.inWorkingTree(canary, dir)).extracting(Finding::channel).containsExactly(Channel.C14);
    }

    @Test
    void command_line_detector_sees_system_properties() {
        assertThat(Detectors.inCommandLine(canary, List.of("java", "-Dopenai.apiKey=" + canary.value(), "App")))
                .extracting(Finding::channel).containsExactly(Channel.C11);
    }

    @Test
    void jar_entries_named_like_dotenv_are_listed() throws IOException {
        Path jar = dir.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String name : List.of(".env", "config/.env.local", "app/Main.class", ".env.example.txt")) {
                out.putNextEntry(new ZipEntry(name));
                out.write(1);
                out.closeEntry();
            }
        }

        assertThat(Detectors.jarEntriesNamed(jar, "\\.env(\\..*)?")).containsExactly(".env", "config/.env.local", ".env.example.txt");
    }

}

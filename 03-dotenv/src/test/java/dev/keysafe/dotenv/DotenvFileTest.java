package dev.keysafe.dotenv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.keysafe.common.ConfigException;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How module 03 reads a .env file, and how it steps around dotenv-java's traps. */
class DotenvFileTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @Test
    void file_values_fill_in_what_the_environment_does_not_set() throws IOException {
        write("OPENAI_MODEL=from-file\nOPENAI_BASE_URL=http://127.0.0.1:1/v1\n");

        Map<String, String> settings = DotenvFile.settings(Map.of("OPENAI_MODEL", "from-env"), dir, err);

        assertThat(settings).containsEntry("OPENAI_MODEL", "from-env")
                .containsEntry("OPENAI_BASE_URL", "http://127.0.0.1:1/v1");
    }

    @Test
    void missing_file_gives_the_environment_alone() {
        Map<String, String> settings = DotenvFile.settings(Map.of("OPENAI_MODEL", "from-env"), dir, err);

        assertThat(settings).containsExactly(Map.entry("OPENAI_MODEL", "from-env"));
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void double_quotes_and_comments_are_dropped_single_quotes_are_kept() throws IOException {
        write("# a comment\n\nOPENAI_MODEL=\"gpt-4o-mini\"  # trailing comment\nOPENAI_LOG='off'\n");

        Map<String, String> settings = DotenvFile.settings(Map.of(), dir, err);

        // dotenv-java 3.2 keeps single quotes: a key written as '...' would be sent with them.
        assertThat(settings).containsEntry("OPENAI_MODEL", "gpt-4o-mini").containsEntry("OPENAI_LOG", "'off'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"export OPENAI_API_KEY=%s", "OPENAI_API_KEY %s", "OPENAI_API_KEY: %s",
            "OPENAI_API_KEY=\"%s\"oops\""})
    void malformed_line_is_reported_by_file_and_line_number_never_by_its_value(String badLine)
            throws IOException {
        Canary key = Canary.fresh();
        write("# keys\nOPENAI_MODEL=gpt-4o-mini\n" + badLine.formatted(key.value()) + "\nOTHER=1\n");

        Throwable thrown = catchThrowable(() -> DotenvFile.settings(Map.of(), dir, err));

        assertThat(thrown).as("the error thrown").isNotNull();
        assertThat(Detectors.inThrowable(key, thrown)).isEmpty();
        assertThat(thrown).isInstanceOf(ConfigException.class).hasNoCause();
        assertThat(thrown.getMessage()).contains("malformed line 3").contains(dir.resolve(".env").toString());
    }

    @Test
    void file_values_never_reach_the_system_properties() throws IOException {
        Canary inFile = Canary.fresh();
        Canary inEnvironment = Canary.fresh();
        write("OPENAI_API_KEY=" + inFile.value() + "\nKEYSAFE_ONLY_IN_FILE=" + inFile.value() + "\n");

        Map<String, String> settings = DotenvFile.settings(Map.of("OPENAI_API_KEY", inEnvironment.value()), dir, err);

        String all = String.valueOf(System.getProperties());
        assertThat(Detectors.inText(inFile, Channel.C13, "system properties", all)).isEmpty();
        assertThat(Detectors.inText(inEnvironment, Channel.C13, "system properties", all)).isEmpty();
        assertThat(System.getProperty("OPENAI_API_KEY")).isNull();
        assertThat(System.getProperty("KEYSAFE_ONLY_IN_FILE")).isNull();
        assertThat(settings).as("the file was read").containsKey("KEYSAFE_ONLY_IN_FILE");
    }

    @Test
    void settings_print_variable_names_never_values() throws IOException {
        Canary key = Canary.fresh();
        write("OPENAI_API_KEY=" + key.value() + "\n");

        Map<String, String> settings = DotenvFile.settings(Map.of(), dir, err);

        assertThat(Detectors.inText(key, Channel.C8, "settings.toString()", String.valueOf(settings))).isEmpty();
        assertThat(String.valueOf(settings)).contains("OPENAI_API_KEY");
        assertThat(settings.get("OPENAI_API_KEY")).isNotBlank();
    }

    @Test
    void warns_once_naming_the_fix_when_group_or_others_can_read_the_file() throws IOException {
        Canary key = Canary.fresh();
        Path file = write("OPENAI_API_KEY=" + key.value() + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));

        DotenvFile.settings(Map.of(), dir, err);

        String warnings = errBytes.toString(StandardCharsets.UTF_8);
        assertThat(Detectors.inText(key, Channel.C7, "stderr", warnings)).isEmpty();
        assertThat(warnings.lines()).containsExactly("warning: " + file + " can be read by other users of this "
                + "machine. Fix: chmod 600 " + file);
    }

    @Test
    void no_warning_when_only_the_owner_can_read_the_file() throws IOException {
        Path file = write("OPENAI_MODEL=gpt-4o-mini\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        DotenvFile.settings(Map.of(), dir, err);

        assertThat(errBytes.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(DotenvFile.readableByOthers(file)).isFalse();
    }

    @Test
    void permission_check_is_skipped_on_a_file_system_without_posix_permissions() throws IOException {
        // A zip file system has no POSIX permissions, like NTFS.
        URI zip = URI.create("jar:" + dir.resolve("fs.zip").toUri());
        try (FileSystem nonPosix = FileSystems.newFileSystem(zip, Map.of("create", "true"))) {
            Path file = nonPosix.getPath("/.env");
            Files.writeString(file, "OPENAI_MODEL=gpt-4o-mini\n");

            assertThat(DotenvFile.readableByOthers(file)).isFalse();
        }
        Path posix = write("OPENAI_MODEL=gpt-4o-mini\n");
        Files.setPosixFilePermissions(posix, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(DotenvFile.readableByOthers(posix)).as("the same check on POSIX").isTrue();
    }

    @Test
    void reading_the_file_copies_it_nowhere() throws IOException {
        write("OPENAI_API_KEY=" + Canary.fresh().value() + "\n");

        DotenvFile.settings(Map.of(), dir, err);

        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(".env");
        }
    }

    private Path write(String content) throws IOException {
        Path file = dir.resolve(".env");
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }
}

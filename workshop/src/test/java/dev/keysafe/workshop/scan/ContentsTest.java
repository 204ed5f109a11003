package dev.keysafe.workshop.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.testkit.KeyShapes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The decoding pieces alone: allow comments read, UTF-16 told from binaries, percent escapes, one finding per key and line. */
class ContentsTest {

    @Test
    void an_allow_comment_gives_its_reason_without_the_comments_closing_marks_and_a_bare_one_gives_none() {
        assertThat(Contents.allow("k = \"x\"; // keysafe:allow demo key of the negative control")).isEqualTo(
                "demo key of the negative control");
        assertThat(Contents.allow("<!-- keysafe:allow: docs sample -->")).isEqualTo("docs sample");
        assertThat(Contents.allow("x /* KEYSAFE:ALLOW test double */")).isEqualTo("test double");
        assertThat(Contents.allow("x # keysafe:allow\r")).isEmpty();
        assertThat(Contents.allow("x // keysafe:allow ok")).as("a reason has a word").isEmpty();
        assertThat(Contents.allow("x // keysafe:allowed by nobody")).isNull();
        assertThat(Contents.allow("x = 1")).isNull();
    }

    @Test
    void utf16_is_told_from_utf8_and_from_binaries_such_as_class_files() throws Exception {
        byte[] classFile = Files.readAllBytes(Path.of(Contents.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI()).resolve("dev/keysafe/workshop/scan/Contents.class"));

        assertThat(Contents.utf16("plain text, long enough".getBytes(StandardCharsets.UTF_8))).isNull();
        assertThat(Contents.utf16(classFile)).isNull();
        assertThat(Contents.utf16("key=value\n".getBytes(StandardCharsets.UTF_16LE))).isEqualTo("key=value\n");
        assertThat(Contents.utf16("key=value\n".getBytes(StandardCharsets.UTF_16))).isEqualTo("key=value\n");
    }

    @Test
    void percent_escapes_are_decoded_twice_and_a_plus_stays_a_plus() {
        assertThat(Contents.percentDecode("a%2Db+c%252F")).isEqualTo("a-b+c/");
    }

    @Test
    void one_key_on_one_line_read_two_ways_is_one_finding() {
        String key = KeyShapes.gitHub('p');
        String line = "token=" + key + " copy=" + java.util.Base64.getEncoder().encodeToString(
                key.getBytes(StandardCharsets.US_ASCII)) + "\n";

        assertThat(Contents.scan("x.env", line.getBytes(StandardCharsets.US_ASCII))).singleElement()
                .satisfies(found -> assertThat(found.encoding()).isNull());
    }
}

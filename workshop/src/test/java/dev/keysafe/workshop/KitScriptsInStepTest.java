package dev.keysafe.workshop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code kit.cmd} has never run on Windows here (no Windows machine), so it is held to {@code kit},
 * which runs in every build: the same messages, the same Java check, the same build step and
 * staleness rule, the same exit code for its own errors, the same launch.
 */
class KitScriptsInStepTest {

    private static String sh;
    private static String cmd;

    @BeforeAll
    static void read() throws IOException {
        sh = Files.readString(Fixtures.root().resolve("kit"));
        cmd = Files.readString(Fixtures.root().resolve("kit.cmd")).replace("\r\n", "\n");
    }

    @Test
    void both_say_the_same_things_to_the_user() {
        assertThat(messages(cmd, Pattern.compile("(?m)^>&2 echo kit: (.*)$")))
                .isEqualTo(messages(sh, Pattern.compile("(?m)(?:die|printf) '?\"?(?:kit: )?([^\"']*)")))
                .isNotEmpty();
    }

    @Test
    void both_want_a_jdk_17_and_say_so() {
        assertThat(sh).contains("'' | 1 | [0-9] | 1[0-6] )", "keysafe needs a JDK 17 or newer");
        assertThat(cmd).contains("if %JMAJOR% GEQ 17 goto java_ok", "keysafe needs a JDK 17 or newer");
    }

    @Test
    void both_build_the_same_way_when_a_source_is_newer_than_the_launcher() {
        for (String script : List.of(sh, cmd)) {
            assertThat(script).contains("-q -DskipTests package", "KIT_NO_BUILD", "pom.xml");
            assertThat(script.replace('\\', '/')).contains("workshop/target/classpath.txt", "workshop/target/keysafe-workshop-");
            for (String skipped : List.of("target", ".git", "labs-work", "node_modules")) {
                assertThat(script).as("the staleness check skips %s", skipped).contains(skipped);
            }
        }
    }

    @Test
    void both_exit_64_for_their_own_errors_and_pass_the_launchers_code_through() {
        assertThat(exits(sh, Pattern.compile("(?m)^\\s*exit (\\S+)$"))).containsOnly(String.valueOf(ExitCode.KIT_USAGE));
        assertThat(exits(cmd, Pattern.compile("(?m)^exit /b (\\S+)$")))
                .containsOnly(String.valueOf(ExitCode.KIT_USAGE), "%ERRORLEVEL%");
        assertThat(sh).contains("exec \"$JAVA\" -Dkeysafe.home=\"$ROOT\"");
        assertThat(cmd).contains("\"%JAVA%\" -Dkeysafe.home=\"%ROOT%\"");
        for (String script : List.of(sh, cmd)) {
            assertThat(script).contains("dev.keysafe.workshop.Kit");
        }
    }

    /** The messages, with each script's own spelling of the same thing made equal. */
    private static TreeSet<String> messages(String script, Pattern pattern) {
        TreeSet<String> found = new TreeSet<>();
        Matcher m = pattern.matcher(script);
        while (m.find()) {
            String message = m.group(1).strip()
                    .replace("%JAVA_SAYS%", "SAYS").replace("$java_says", "SAYS")
                    .replace("%JAVA%", "JAVA").replace("$JAVA", "JAVA")
                    .replace("%ROOT%", "ROOT").replace("$ROOT", "ROOT")
                    .replace("%STALE%", "STALE").replace("%s", "STALE")
                    .replace("mvnw.cmd", "MVNW").replace("./mvnw", "MVNW")
                    .replace("\\n", "");
            // die() itself prints its argument: "kit: %s".
            if (!message.isEmpty() && !message.equals("STALE")) {
                found.add(message);
            }
        }
        return found;
    }

    private static List<String> exits(String script, Pattern pattern) {
        List<String> codes = new ArrayList<>();
        Matcher m = pattern.matcher(script);
        while (m.find()) {
            codes.add(m.group(1));
        }
        return codes;
    }
}

package dev.keysafe.testkit.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keysafe.testkit.secrets.SecretsManagerEmulatorMain.Options;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The emulator's command line: what it reads, and a clear message with exit 2 for what it cannot. */
class SecretsManagerEmulatorMainTest {

    @Test
    void reads_every_option() {
        Options options = Options.parse("--port", "4566", "--secret", "app/key=a=b", "--openai-stub", "--rotate-every", "30");

        assertThat(options).isEqualTo(new Options(4566, Map.of("app/key", "a=b"), true, 30, false));
        assertThat(Options.parse()).isEqualTo(new Options(0, Map.of(), false, 0, false));
        assertThat(Options.parse("--help").help()).isTrue();
    }

    @Test
    void bad_options_say_what_is_wrong() {
        assertThatThrownBy(() -> Options.parse("--port", "abc")).hasMessage("--port needs a whole number from 0 to 65535, not abc");
        assertThatThrownBy(() -> Options.parse("--port", "70000")).hasMessage("--port needs a whole number from 0 to 65535, not 70000");
        assertThatThrownBy(() -> Options.parse("--rotate-every")).hasMessage("--rotate-every needs a value");
        assertThatThrownBy(() -> Options.parse("--secret", "novalue")).hasMessage("--secret needs NAME=VALUE");
        assertThatThrownBy(() -> Options.parse("--bogus")).hasMessage("unknown option: --bogus");
    }

    @Test
    void a_bad_option_or_a_taken_port_exits_2_with_one_line_and_no_stack_trace() throws Exception {
        assertThat(run("--port", "abc")).isEqualTo(List.of("2", "--port needs a whole number from 0 to 65535, not abc (try --help)"));

        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();
            List<String> result = run("--port", String.valueOf(port));
            assertThat(result).hasSize(2);
            assertThat(result.get(0)).isEqualTo("2");
            assertThat(result.get(1)).startsWith("cannot listen on 127.0.0.1:" + port + ": ");
        }
    }

    /** The program's exit code, then each line it wrote to stderr. */
    private static List<String> run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), SecretsManagerEmulatorMain.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the program ended").isTrue();
        List<String> result = new ArrayList<>();
        result.add(String.valueOf(process.exitValue()));
        result.addAll(stderr.lines().toList());
        return result;
    }
}

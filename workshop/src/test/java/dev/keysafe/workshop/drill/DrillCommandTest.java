package dev.keysafe.workshop.drill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ExitCode;
import dev.keysafe.testkit.KeyPatterns;
import dev.keysafe.workshop.Fixtures;
import dev.keysafe.workshop.Fixtures.Result;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./kit drill}: the incident runs end to end offline, and a facilitator can stop it. */
class DrillCommandTest {

    private static final Pattern DEMO_KEY = Pattern.compile(Pattern.quote(KeyPatterns.DEMO_PREFIX) + "[A-Za-z0-9]{32}");

    @TempDir
    Path dir;

    private Result drill(String input, String... args) {
        return Fixtures.kitAnswering(dir, input, "drill", args);
    }

    @Test
    void auto_runs_every_step_to_its_outcome_with_zero_failed_requests_and_prints_the_report() {
        Result result = drill("", "--auto");

        assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
        assertThat(result.out()).contains("step 6 of 6: history is cleaned",
                "ok: the commit reached the shared repository",
                "ok: the scanner found the key in the pushed history", "ok: usage showed the unknown client's spike",
                "ok: the service runs on the new key", "ok: the old key is refused",
                "ok: zero failed requests for the service during rotation", " 0 failed",
                "ok: the shared repository's history scans clean", "== incident report", "timeline",
                "drill complete: every step reached its outcome")
                .doesNotContain("NOT REACHED", "[Enter]");
        // Step 3: the account counted the stranger's 40 direct calls beyond what the proxy's ledger holds.
        assertThat(result.out()).containsPattern("counted by OpenAI \\(the account's usage\\) +\\d+")
                .containsPattern("in the proxy's ledger \\(weather-bot\\) +[1-9]\\d*")
                .containsPattern("from a client outside the proxy +40\\n");
        // Step 4: the key moved through the secret's stages, and module 06 itself read the new one.
        assertThat(result.out()).containsPattern("AWSCURRENT \\.\\.\\.\\S{4}, AWSPREVIOUS \\.\\.\\.\\S{4}")
                .contains("the proxy answered HTTP 200 {\"status\":\"reloaded\",\"changed\":true}");
        Matcher served = Pattern.compile("service requests through the proxy: (\\d+) answered, 0 failed").matcher(result.out());
        assertThat(served.find()).isTrue();
        assertThat(Integer.parseInt(served.group(1))).isGreaterThanOrEqualTo(30);
        // Masked and fingerprinted only: the scan line shows sk-keysa***abcd, never the key; the new key
        // (the real format) appears nowhere either.
        assertThat(result.out()).contains("keysafe demo key  sk-keysa***");
        assertThat(DEMO_KEY.matcher(result.out()).find()).isFalse();
        assertThat(KeyPatterns.all().matches(result.out() + result.err())).isEmpty();
        assertThat(scratch(result.out())).doesNotExist();
        // The timeline's columns line up: every time has its seconds, ":00" included.
        String timeline = result.out().substring(result.out().indexOf("timeline\n"), result.out().indexOf("follow-up"));
        assertThat(timeline.lines().skip(1)).hasSize(6)
                .allSatisfy(line -> assertThat(line).matches("  \\d\\d:\\d\\d:\\d\\d  \\d\\. \\S.*"));
    }

    @Test
    void a_time_in_the_timeline_keeps_its_zero_seconds() {
        assertThat(Incident.clock(java.time.LocalTime.of(9, 5))).isEqualTo("09:05:00");
        assertThat(Incident.clock(java.time.LocalTime.of(14, 30, 7, 999_000_000))).isEqualTo("14:30:07");
    }

    @Test
    void step_by_step_pauses_and_q_stops_the_drill_with_exit_64() {
        Result result = drill("\nq\n");

        assertThat(result.exitCode()).isEqualTo(ExitCode.KIT_USAGE);
        assertThat(result.out()).contains("step 2 of 6", "[Enter] next step, q to stop", "drill stopped by the facilitator.")
                .doesNotContain("step 3 of 6", "incident report");
        assertThat(scratch(result.out())).doesNotExist();
    }

    private static Path scratch(String out) {
        Matcher folder = Pattern.compile("scratch folder (\\S+),").matcher(out);
        assertThat(folder.find()).isTrue();
        return Path.of(folder.group(1));
    }
}

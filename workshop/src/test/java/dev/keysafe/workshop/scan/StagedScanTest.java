package dev.keysafe.workshop.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ExitCode;
import dev.keysafe.common.Json;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.KeyShapes;
import dev.keysafe.workshop.Fixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hook's quick entry point: the same staged scan as {@code ./kit scan --staged}, its own small argument list. */
class StagedScanTest {

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = StagedScan.run(args, dir, Fixtures.root(), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void a_staged_key_is_reported_as_kit_scan_staged_reports_it_and_a_clean_index_passes() throws Exception {
        String key = KeyShapes.openAi("sk-proj-");
        try (ScratchRepo repo = ScratchRepo.init(dir)) {
            repo.write("README.md", "hello\n");
            repo.commitAll("start");
            Run clean = run();
            repo.write("App.java", "class App {\n  String k = \"" + key + "\";\n}\n").stage("App.java");

            Run blocked = run("--staged", ".");
            Run json = run("--format", "json");

            assertThat(clean.exit()).as(clean.out() + clean.err()).isZero();
            assertThat(blocked.exit()).isEqualTo(1);
            assertThat(blocked.out()).contains("keysafe scan: " + dir + " (staged changes)",
                    "staged  App.java:2  OpenAI project/service/admin key  " + Canary.mask(key), "Commit blocked")
                    .doesNotContain(key);
            assertThat(Json.read(json.out()).get("findings").size()).isEqualTo(1);
        }
    }

    @Test
    void an_unknown_argument_is_a_usage_error_and_outside_git_it_cannot_scan() {
        Run unknown = run("--no-history");
        Run outside = run();
        Run noValue = run("--baseline");

        assertThat(unknown.exit()).isEqualTo(ExitCode.KIT_USAGE);
        assertThat(unknown.err()).contains("unknown argument --no-history", "keysafe-pre-commit [--baseline FILE]");
        assertThat(noValue.exit()).isEqualTo(ExitCode.KIT_USAGE);
        assertThat(outside.exit()).isEqualTo(ExitCode.CONFIG);
        assertThat(outside.err()).contains("not in a git repository", "--staged").hasLineCount(1);
    }
}

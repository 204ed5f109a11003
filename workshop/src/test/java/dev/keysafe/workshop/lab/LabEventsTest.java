package dev.keysafe.workshop.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.workshop.Fixtures;
import dev.keysafe.workshop.Kit;
import dev.keysafe.workshop.Workspace;
import dev.keysafe.workshop.lab.LabEvent.Step;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The seam between the labs and a workshop room ({@link LabEvents}): lab start, each new hint and a
 * passing check report one event each, with what the check can attest for a solve; nothing else
 * reports anything. Lab 01's check is the one real solve (it is quick: git only, no JVM).
 */
class LabEventsTest {

    @TempDir
    Path work;

    private final List<LabEvent> events = new ArrayList<>();

    private int kit(String... args) {
        Workspace workspace = Fixtures.workspace(Fixtures.catalog(), Fixtures.env(LabCommand.WORK_VARIABLE, work.toString()),
                work);
        CommandLine kit = Kit.commandLine(workspace, (event, warnings) -> events.add(event));
        kit.setOut(new PrintWriter(new StringWriter()));
        kit.setErr(new PrintWriter(new StringWriter()));
        return kit.execute(args);
    }

    @Test
    void start_a_new_hint_and_a_passing_check_report_one_event_each_and_nothing_else_does() throws Exception {
        kit("lab", "start", "01");
        kit("lab", "hint", "01");
        kit("lab", "hint", "01", "--all");
        assertThat(kit("lab", "check", "01")).as("the starter still leaks").isEqualTo(1);
        kit("lab", "list");
        kit("progress");
        assertThat(events).extracting(LabEvent::lab, LabEvent::step, LabEvent::hint)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("01", Step.STARTED, 0),
                        org.assertj.core.groups.Tuple.tuple("01", Step.HINT, 1));

        Path copy = work.resolve("labs-work/01-history");
        HistoryRewrite.apply(copy);
        assertThat(kit("lab", "check", "01")).isZero();

        LabEvent solved = events.get(events.size() - 1);
        assertThat(events).hasSize(3);
        assertThat(solved.step()).isEqualTo(Step.SOLVED);
        assertThat(solved.lab()).isEqualTo("01");
        assertThat(solved.attestation().checkVersion()).isEqualTo(Kit.Version.number());
        assertThat(solved.attestation().digest()).matches("[0-9a-f]{64}")
                .isEqualTo(LabEvent.digest(Labs.require("01"), copy));
    }

    @Test
    void the_digest_follows_the_checked_files_and_ignores_build_output() throws Exception {
        kit("lab", "start", "02");
        Lab lab = Labs.require("02");
        Path copy = work.resolve("labs-work/02-logged-key");
        String starter = LabEvent.digest(lab, copy);

        Files.createDirectories(copy.resolve(".build/classes"));
        Files.writeString(copy.resolve(".build/classes/Ask.class"), "compiled");
        String withBuild = LabEvent.digest(lab, copy);
        Files.writeString(copy.resolve(lab.files().get(0).path()), "\n// fixed", java.nio.file.StandardOpenOption.APPEND);
        String edited = LabEvent.digest(lab, copy);

        assertThat(withBuild).isEqualTo(starter);
        assertThat(edited).isNotEqualTo(starter).matches("[0-9a-f]{64}");
    }
}

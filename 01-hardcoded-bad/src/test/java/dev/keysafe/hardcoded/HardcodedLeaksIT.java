package dev.keysafe.hardcoded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.testkit.AppRun;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.KeyPatterns;
import dev.keysafe.testkit.Keysafe;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.leaks.Finding;
import dev.keysafe.testkit.leaks.GitPlaces;
import dev.keysafe.testkit.run.Scenario;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The leak contract turned inside out: module 01 hardcodes its key, and each test passes only when
 * a detector finds it. If a detector goes blind, these tests go red, so a clean report from
 * 02-06 means something. Runs from Failsafe: the build-output check needs the jar.
 */
@Execution(ExecutionMode.CONCURRENT)
class HardcodedLeaksIT {

    /** 01's own key, searched in every form a canary has. */
    private static final Canary KEY = Canary.of(HardcodedKey.API_KEY);
    private static final String SOURCE = "src/main/java/dev/keysafe/hardcoded/HardcodedKey.java";

    private static Path moduleDir() {
        return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    }

    @Test
    void key_is_found_in_the_module_source() {
        assertThat(moduleDir().resolve(SOURCE)).as("the scan starts in the module").exists();

        assertThat(Detectors.inWorkingTree(KeyPatterns.all(), moduleDir()))
                .anySatisfy(found -> {
                    assertThat(found.channel()).isEqualTo(Channel.C14);
                    assertThat(found.where()).endsWith(SOURCE);
                    assertThat(found.form()).isEqualTo("keysafe demo key");
                });
    }

    @Test
    void key_is_found_in_the_jar_and_the_class_files() {
        List<Path> jars = Detectors.builtJars(moduleDir());
        assertThat(jars).as("the module's jar (run after package)").isNotEmpty();

        // The compiler copies a constant into every class that reads it: deleting
        // HardcodedKey.java alone would leave the key in Ask.class and Config.class.
        List<Finding> inJar = jars.stream()
                .flatMap(jar -> Detectors.inJar(KEY, Channel.C16, jar).stream()).toList();
        assertThat(inJar).extracting(Finding::where).anySatisfy(w -> assertThat(w).endsWith("hardcoded/HardcodedKey.class"));
        assertThat(inJar).extracting(Finding::where).anySatisfy(w -> assertThat(w).endsWith("hardcoded/Ask.class"));
        assertThat(Detectors.inBuildOutput(KeyPatterns.all(), moduleDir()))
                .filteredOn(found -> found.channel() == Channel.C16)
                .extracting(Finding::where)
                .anySatisfy(w -> assertThat(w).contains(".jar!/dev/keysafe/hardcoded/"))
                .anySatisfy(w -> assertThat(w).contains("classes/dev/keysafe/hardcoded/"));
    }

    @Test
    void key_stays_in_git_history_after_the_line_is_deleted(@TempDir Path repoDir) throws Exception {
        Path copy = repoDir.resolve(SOURCE);
        Files.createDirectories(copy.getParent());
        Files.copy(moduleDir().resolve(SOURCE), copy);

        try (Git git = Git.init().setDirectory(repoDir.toFile()).setInitialBranch("main").call()) {
            RevCommit withKey = commit(git, "Add the OpenAI key");
            assertThat(Detectors.inWorkingTree(KEY, repoDir)).as("the working tree before the delete").isNotEmpty();

            Files.writeString(copy, Files.readString(copy).lines()
                    .filter(line -> !line.contains(KeyPatterns.DEMO_PREFIX))
                    .collect(Collectors.joining("\n", "", "\n")));
            RevCommit withoutKey = commit(git, "Remove the key");

            assertThat(copy).content().contains("class HardcodedKey");
            assertThat(Detectors.inWorkingTree(KEY, repoDir)).as("the working tree after the delete").isEmpty();
            assertThat(Detectors.inGitHistory(KEY, repoDir))
                    .anySatisfy(found -> {
                        assertThat(found.channel()).isEqualTo(Channel.C15);
                        assertThat(found.where()).contains(withKey.abbreviate(10).name()).endsWith(SOURCE);
                        assertThat(found.form()).isEqualTo("plain");
                    })
                    .noneSatisfy(found -> assertThat(found.where()).contains(withoutKey.abbreviate(10).name()));
        }
    }

    @Test
    void key_is_in_this_repository_history_once_committed() throws IOException, GitAPIException {
        Assumptions.assumeTrue(GitPlaces.isInGitCheckout(moduleDir()), "not a git checkout: there is no history to scan");
        Assumptions.assumeTrue(everCommitted(moduleDir().resolve(SOURCE)),
                "HardcodedKey.java was never committed here: the history cannot hold it yet");

        assertThat(Detectors.inGitHistory(KeyPatterns.all(), moduleDir()))
                .anySatisfy(found -> {
                    assertThat(found.channel()).isEqualTo(Channel.C15);
                    assertThat(found.where()).endsWith("01-hardcoded-bad/" + SOURCE);
                    assertThat(found.form()).isEqualTo("keysafe demo key");
                });
    }

    @Test
    void happy_path_answers_and_logs_the_key(@TempDir Path workDir) {
        Probe probe = probe(Scenario.HAPPY_PATH, workDir);

        assertThat(probe.keyReachedUpstream()).as("the key reached the stub").isTrue();
        assertThat(probe.behavedAsExpected()).as("the answer on stdout, exit 0: %s", probe.run()).isTrue();
        assertThat(probe.findings()).anySatisfy(found -> {
            assertThat(found.channel()).isEqualTo(Channel.C7);
            assertThat(found.where()).startsWith("stderr line ");
            assertThat(found.form()).isEqualTo("plain");
        });
        // MISTAKE 3 itself, not just the SDK's debug log: the INFO line that logs the config.
        assertThat(keyFormsInLines(probe, "Starting with Config[")).contains("plain");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Scenario.class, names = {"KEY_REJECTED", "UNAUTHORIZED_401"})
    void rejected_key_shows_up_in_the_error_output(Scenario scenario, @TempDir Path workDir) {
        Probe probe = probe(scenario, workDir);

        assertThat(probe.keyReachedUpstream()).as("the key reached the stub").isTrue();
        assertThat(probe.behavedAsExpected()).as("a non-zero exit with a message: %s", probe.run()).isTrue();
        assertThat(probe.findings()).filteredOn(found -> found.channel() == Channel.C7)
                .extracting(Finding::form).contains("plain", "masked (OpenAI 401 echo)");
        // MISTAKE 4: the upstream body, whose 401 message echoes the key masked.
        assertThat(keyFormsInLines(probe, "OpenAI said: ")).contains("masked (OpenAI 401 echo)");
        // MISTAKE 5: the key in the exception message, printed with the stack trace.
        assertThat(keyFormsInLines(probe, "OpenAI call failed with key ")).contains("plain");
    }

    @Test
    void config_to_string_and_json_show_the_key() {
        List<Finding> found = Detectors.inObjects(KEY, List.of(Config.load()));

        assertThat(found).contains(
                new Finding(Channel.C8, "Config.toString()", "plain"),
                new Finding(Channel.C8, "Config as JSON", "plain"));
    }

    /** What one run of module 01 left behind, and where its key went. */
    private record Probe(Scenario scenario, AppRun run, List<Finding> findings, boolean keyReachedUpstream) {
        boolean behavedAsExpected() {
            return scenario.wellBehaved(run.exitCode(), run.stdout(), run.stderr());
        }
    }

    /**
     * Runs module 01 as its own JVM against a stub of its own (so the probes can run side by side),
     * with the public API a team would use, and the same one check, expected here to find the key.
     */
    private static Probe probe(Scenario scenario, Path workDir) {
        try (OpenAiStub stub = OpenAiStub.start()) {
            Keysafe keysafe = new Keysafe(KEY, stub);
            scenario.arrange(stub, KEY);
            // No key is given: 01 has it written in its code.
            AppRun run = keysafe.app(Ask.class.getName()).packagedIn(moduleDir()).workingDir(workDir).run();
            return new Probe(scenario, run, keysafe.leaks(),
                    keysafe.upstreamRequests().stream().anyMatch(e -> e.bearer().equals(KEY.value())));
        }
    }

    /** The forms of the key in the stderr lines that contain {@code marker}; fails when there is no such line. */
    private static List<String> keyFormsInLines(Probe probe, String marker) {
        String lines = probe.run().stderr().lines().filter(line -> line.contains(marker))
                .collect(Collectors.joining("\n"));
        assertThat(lines).as("stderr lines containing '%s'", marker).isNotEmpty();
        return KEY.formsIn(lines);
    }

    private static RevCommit commit(Git git, String message) throws GitAPIException {
        git.add().addFilepattern(".").call();
        return git.commit().setMessage(message).setSign(false)
                .setAuthor("keysafe test", "test@keysafe.invalid")
                .setCommitter("keysafe test", "test@keysafe.invalid")
                .call();
    }

    /** Whether {@code file} appears in any commit of its repository, asked of git itself, not of a detector. */
    private static boolean everCommitted(Path file) throws IOException, GitAPIException {
        FileRepositoryBuilder builder = new FileRepositoryBuilder().findGitDir(file.getParent().toFile());
        if (builder.getGitDir() == null) {
            return false;
        }
        try (Repository repo = builder.build(); Git git = new Git(repo)) {
            String path = repo.getWorkTree().toPath().toRealPath().relativize(file.toRealPath())
                    .toString().replace('\\', '/');
            return git.log().all().addPath(path).setMaxCount(1).call().iterator().hasNext();
        }
    }
}

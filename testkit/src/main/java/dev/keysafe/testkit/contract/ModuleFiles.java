package dev.keysafe.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.KeyPatterns;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.leaks.GitPlaces;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The checks every module's own files pass, as {@link CliLeakContract} runs them and as a module
 * that cannot extend it (a server) calls them: no key-shaped string in its working tree (C14) or
 * its git history (C15), and neither one nor the test's key in its build output (C16).
 */
public final class ModuleFiles {

    private ModuleFiles() {
    }

    /** The module's folder; Maven runs tests from it. */
    public static Path here() {
        return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    }

    /** C14: no file under {@code moduleDir} holds a key-shaped string; the scan is shown to start in the module. */
    public static void assertWorkingTreeHoldsNoKeyShapedString(Path moduleDir) {
        assertThat(moduleDir.resolve("pom.xml")).as("the scan starts in the module").exists();

        assertThat(Detectors.inWorkingTree(KeyPatterns.all(), moduleDir)).isEmpty();
    }

    /** C15: no commit touching {@code moduleDir} holds a key-shaped string; skipped outside a git checkout. */
    public static void assertGitHistoryHoldsNoKeyShapedString(Path moduleDir) {
        Assumptions.assumeTrue(GitPlaces.isInGitCheckout(moduleDir),
                "not a git checkout with commits: there is no history to scan");

        assertThat(Detectors.inGitHistory(KeyPatterns.all(), moduleDir)).isEmpty();
    }

    /**
     * C16: the module's jars exist (so run after package) and its build output holds no key-shaped
     * string and not {@code key}; returns the jars, for checks of a module's own.
     */
    public static List<Path> assertBuildOutputHoldsNoKey(Path moduleDir, Canary key) {
        List<Path> jars = Detectors.builtJars(moduleDir);
        assertThat(jars).as("the module's jar (run after package)").isNotEmpty();

        assertThat(Detectors.inBuildOutput(KeyPatterns.all(), moduleDir)).isEmpty();
        assertThat(Detectors.inBuildOutput(key, moduleDir)).isEmpty();
        return jars;
    }
}

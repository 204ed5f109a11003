package dev.keysafe.dotenv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.common.ExitCode;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.run.ModuleLaunch;
import dev.keysafe.testkit.run.ModuleRunner;
import dev.keysafe.testkit.run.RunResult;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dotenv-java's fourth trap: with no .env in the working directory it looks on the classpath, so
 * a .env that slipped into a jar is read. Each test starts a JVM whose classpath holds a folder
 * with a .env (the canary in it) where dotenv-java would look, and no .env in its working directory.
 */
class DotenvClasspathTest {

    @TempDir
    Path temp;

    private final Canary onClasspath = Canary.fresh();
    private Path workDir;
    private String classpath;

    @BeforeEach
    void plant_a_dotenv_on_the_classpath() throws IOException {
        workDir = Files.createDirectories(temp.resolve("work"));
        Path extra = Files.createDirectories(temp.resolve("classpath-extra"));
        String dotenv = "OPENAI_API_KEY=" + onClasspath.value() + "\n";
        // Where a plain lookup goes (the classpath root), and where a lookup of the working
        // directory's absolute path would go.
        Files.writeString(extra.resolve(".env"), dotenv);
        Path mirrored = extra.resolve(workDir.getRoot().relativize(workDir).resolve(".env"));
        Files.createDirectories(mirrored.getParent());
        Files.writeString(mirrored, dotenv);
        classpath = System.getProperty("java.class.path") + File.pathSeparator + extra;
    }

    @Test
    void plain_dotenv_reads_a_dotenv_from_the_classpath() {
        RunResult run = ModuleRunner.run(ModuleLaunch.of(PlainDotenvLookup.class.getName()).classpath(classpath),
                workDir);

        assertThat(run.exitCode()).isZero();
        assertThat(run.stdout()).contains("found OPENAI_API_KEY");
    }

    @Test
    void dotenv_on_the_classpath_is_never_read() {
        try (OpenAiStub stub = OpenAiStub.start()) {
            // Were the classpath's key read, this stub would accept it and the run would succeed.
            stub.acceptKeys(onClasspath.value());

            RunResult run = ModuleRunner.run(ModuleLaunch.of(Ask.class.getName()).classpath(classpath)
                    .env("OPENAI_BASE_URL", stub.baseUrl()), workDir);

            assertThat(Detectors.inText(onClasspath, Channel.C7, "stderr", run.stderr())).isEmpty();
            assertThat(Detectors.inText(onClasspath, Channel.C1, "stdout", run.stdout())).isEmpty();
            assertThat(run.exitCode()).isEqualTo(ExitCode.CONFIG);
            assertThat(run.stderr()).contains("OPENAI_API_KEY is not set")
                    .contains("there is no " + workDir.resolve(".env"));
            assertThat(stub.journal()).isEmpty();
        }
    }
}

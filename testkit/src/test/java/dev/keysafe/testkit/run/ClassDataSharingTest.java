package dev.keysafe.testkit.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Module runs share one archive per jar class path: the first run records, a separate JVM dumps,
 * later runs map it and behave exactly as a plain run does; folders get no archive.
 */
class ClassDataSharingTest {

    @TempDir
    Path dir;

    @Test
    void the_first_run_records_and_later_runs_map_the_archive_with_the_same_output() throws Exception {
        Path jar = helloJar(dir.resolve("target"));
        ModuleLaunch launch = ModuleLaunch.of("Hello").classpath(jar.toString()).args("world");

        RunResult first = ModuleRunner.run(launch, dir.resolve("first"));
        RunResult second = ModuleRunner.run(launch, dir.resolve("second"));

        if (Boolean.getBoolean(ClassDataSharing.PROPERTY)) {
            Path archive = ClassDataSharing.ofJars(jar.toString()).archive();
            assertThat(first.commandLine()).anyMatch(o -> o.startsWith("-XX:DumpLoadedClassList="));
            assertThat(archive).isRegularFile();
            assertThat(second.commandLine()).contains("-XX:SharedArchiveFile=" + archive)
                    .noneMatch(o -> o.startsWith("-XX:DumpLoadedClassList="));
        } else {
            // -Dkeysafe.cds=false: both runs start plainly, and nothing is kept beside the jar.
            assertThat(first.commandLine()).noneMatch(o -> o.contains("DumpLoadedClassList") || o.contains("SharedArchiveFile"));
            assertThat(second.commandLine()).noneMatch(o -> o.contains("DumpLoadedClassList") || o.contains("SharedArchiveFile"));
            assertThat(jar.resolveSibling("cds")).doesNotExist();
        }
        for (RunResult run : List.of(first, second)) {
            assertThat(run.exitCode()).isZero();
            assertThat(run.stdout()).isEqualTo("hello world\n");
            assertThat(run.stderr()).isEmpty();
            assertThat(run.filesWritten()).isEmpty();
        }
    }

    @Test
    void a_class_path_with_a_folder_or_no_target_jar_gets_no_archive() throws Exception {
        Path jar = helloJar(dir.resolve("lib"));

        Path inTarget = helloJar(dir.resolve("target"));

        assertThat(ClassDataSharing.ofJars(inTarget.toString())).isNotNull();
        assertThat(ClassDataSharing.ofJars(jar.toString())).isNull();
        assertThat(ClassDataSharing.ofJars(inTarget + java.io.File.pathSeparator + dir)).isNull();
    }

    /** A jar holding one class, Hello, that prints "hello " and its argument. */
    private Path helloJar(Path folder) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("Hello.java"),
                "public class Hello { public static void main(String[] a) { System.out.println(\"hello \" + a[0]); } }");
        Path classes = Files.createDirectories(dir.resolve("classes"));
        assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(),
                src.resolve("Hello.java").toString())).isZero();
        Path jar = Files.createDirectories(folder).resolve("hello.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("Hello.class"));
            out.write(Files.readAllBytes(classes.resolve("Hello.class")));
            out.closeEntry();
        }
        return jar;
    }
}

package dev.keysafe.testkit.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A class path's first run lists its classes, the archive is written whole, later runs map it,
 * and anything the JVM could not archive or check runs as before.
 */
class ClassDataArchivesTest {

    @TempDir
    Path dir;

    private Path archives;
    private String jar;

    @BeforeEach
    void aJarWithAMainClass() throws Exception {
        archives = dir.resolve("cds");
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("Hello.java"),
                "public class Hello { public static void main(String[] a) { System.out.println(\"hello \" + java.util.List.of(a)); } }");
        Path classes = Files.createDirectories(dir.resolve("classes"));
        assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(),
                src.resolve("Hello.java").toString())).isZero();
        jar = dir.resolve("hello.jar").toString();
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(Path.of(jar)))) {
            out.putNextEntry(new JarEntry("Hello.class"));
            out.write(Files.readAllBytes(classes.resolve("Hello.class")));
            out.closeEntry();
        }
    }

    @Test
    void the_first_run_lists_its_classes_and_later_runs_map_the_archive_it_made() throws Exception {
        ClassDataArchives.Use first = ClassDataArchives.forRun(jar, archives, true);
        assertThat(first.jvmArgs()).singleElement().asString().startsWith("-XX:DumpLoadedClassList=" + archives);
        assertThat(run(jar, first.jvmArgs())).isEqualTo("hello [x]");
        first.finish(true);

        // Only the archive is left, whole: no list, no partial file.
        assertThat(files(archives)).singleElement().asString().endsWith(".jsa");
        ClassDataArchives.Use later = ClassDataArchives.forRun(jar, archives, true);
        assertThat(later.jvmArgs()).containsExactly("-XX:SharedArchiveFile=" + files(archives).get(0));
        // -Xshare:on: the JVM stops rather than run without the archive, so this proves it maps.
        List<String> mapped = new ArrayList<>(List.of("-Xshare:on"));
        mapped.addAll(later.jvmArgs());
        assertThat(run(jar, mapped)).isEqualTo("hello [x]");
        assertThat(ClassDataArchives.forRun(jar, archives, false).jvmArgs()).isEqualTo(later.jvmArgs());
    }

    @Test
    void runs_that_come_while_the_archive_is_made_wait_for_it_and_a_server_goes_without() throws Exception {
        ClassDataArchives.Use first = ClassDataArchives.forRun(jar, archives, true);
        run(jar, first.jvmArgs());

        assertThat(ClassDataArchives.forRun(jar, archives, false).jvmArgs()).as("a server start: no wait").isEmpty();
        CompletableFuture<List<String>> waiting = CompletableFuture.supplyAsync(
                () -> ClassDataArchives.forRun(jar, archives, true).jvmArgs());
        Thread.sleep(300);
        assertThat(waiting).as("a run that ends by itself waits for the archive").isNotDone();
        first.finish(true);

        assertThat(waiting.get(10, TimeUnit.SECONDS)).singleElement().asString().startsWith("-XX:SharedArchiveFile=");
    }

    @Test
    void a_rebuilt_jar_gets_an_archive_of_its_own() throws Exception {
        ClassDataArchives.Use first = ClassDataArchives.forRun(jar, archives, true);
        run(jar, first.jvmArgs());
        first.finish(true);

        Files.setLastModifiedTime(Path.of(jar), FileTime.from(Instant.now().plusSeconds(5)));

        assertThat(ClassDataArchives.forRun(jar, archives, true).jvmArgs()).singleElement().asString()
                .startsWith("-XX:DumpLoadedClassList=");
    }

    @Test
    void a_failed_run_makes_no_archive_and_the_next_run_lists_instead() throws Exception {
        ClassDataArchives.Use failed = ClassDataArchives.forRun(jar, archives, true);
        run(jar, failed.jvmArgs());
        failed.finish(false);

        assertThat(files(archives)).isEmpty();
        assertThat(ClassDataArchives.forRun(jar, archives, true).jvmArgs()).singleElement().asString()
                .startsWith("-XX:DumpLoadedClassList=");
    }

    @Test
    void a_run_waiting_on_one_that_fails_lists_in_its_place() throws Exception {
        ClassDataArchives.Use failing = ClassDataArchives.forRun(jar, archives, true);
        CompletableFuture<List<String>> waiting = CompletableFuture.supplyAsync(
                () -> ClassDataArchives.forRun(jar, archives, true).jvmArgs());
        Thread.sleep(300);
        assertThat(waiting).isNotDone();

        failing.finish(false);

        assertThat(waiting.get(10, TimeUnit.SECONDS)).singleElement().asString().startsWith("-XX:DumpLoadedClassList=");
    }

    @Test
    void a_run_whose_list_stays_empty_leaves_no_archive_and_its_class_path_runs_without() throws Exception {
        ClassDataArchives.Use first = ClassDataArchives.forRun(jar, archives, true);
        first.finish(true);

        assertThat(files(archives)).isEmpty();
        assertThat(ClassDataArchives.forRun(jar, archives, true).jvmArgs()).isEmpty();
    }

    @Test
    void a_class_path_with_a_directory_or_a_missing_jar_runs_without() {
        assertThat(ClassDataArchives.forRun(dir.resolve("classes") + File.pathSeparator + jar, archives, true).jvmArgs()).isEmpty();
        assertThat(ClassDataArchives.forRun(jar + File.pathSeparator + dir.resolve("gone.jar"), archives, true).jvmArgs()).isEmpty();
        assertThat(archives).doesNotExist();
    }

    @Test
    void the_launcher_maps_an_archive_the_build_made_and_otherwise_starts_as_a_learner_does() throws Exception {
        // Set by the build for every test JVM, unless turned off to compare (-Dkeysafe.cds.dir=).
        String saved = System.getProperty(ClassDataArchives.DIR_PROPERTY);
        try {
            System.clearProperty(ClassDataArchives.DIR_PROPERTY);
            assertThat(ClassDataArchives.forRun(jar, true).jvmArgs()).as("no property: a learner's run").isEmpty();
            assertThat(ClassDataArchives.mapped(jar)).isEmpty();

            System.setProperty(ClassDataArchives.DIR_PROPERTY, archives.toString());
            assertThat(ClassDataArchives.mapped(jar)).as("no archive yet, and the launcher makes none").isEmpty();
            ClassDataArchives.Use first = ClassDataArchives.forRun(jar, true);
            assertThat(first.jvmArgs()).singleElement().asString().startsWith("-XX:DumpLoadedClassList=");
            run(jar, first.jvmArgs());
            first.finish(true);
            assertThat(ClassDataArchives.mapped(jar)).singleElement().asString().startsWith("-XX:SharedArchiveFile=" + archives);
        } finally {
            if (saved == null) {
                System.clearProperty(ClassDataArchives.DIR_PROPERTY);
            } else {
                System.setProperty(ClassDataArchives.DIR_PROPERTY, saved);
            }
        }
    }

    private static String run(String classpath, List<String> jvmArgs) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        command.addAll(jvmArgs);
        command.addAll(List.of("-cp", classpath, "Hello", "x"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out;
        try (var in = process.getInputStream()) {
            out = new String(in.readAllBytes()).strip();
        }
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        return out;
    }

    private static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }
}

package dev.keysafe.workshop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysafe.workshop.testmodule.WhereAmI;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import picocli.CommandLine;

/** Shared set-up for the launcher's tests: the real checkout, a clean environment, captured output. */
public final class Fixtures {

    /** The stand-in module {@link WhereAmI}, numbered 98, which any temporary checkout can hold. */
    public static final Module WHERE_AM_I = Module.practice("98", "98-where-am-i", WhereAmI.class.getName(),
            "a stand-in that prints where and how it was started",
            run -> run.launch().env("OPENAI_API_KEY", run.key().value()));

    private Fixtures() {
    }

    /** The repository root: Maven runs the tests from workshop/. */
    public static Path root() {
        return Path.of(System.getProperty("basedir", "")).toAbsolutePath().normalize().getParent();
    }

    public static Catalog catalog() {
        return Catalog.of(root());
    }

    /**
     * An environment with nothing but PATH and what the test gives: a developer's own OPENAI_*
     * variables must never reach a module under test.
     */
    public static Map<String, String> env(String... namesAndValues) {
        Map<String, String> env = new HashMap<>();
        if (System.getenv("PATH") != null) {
            env.put("PATH", System.getenv("PATH"));
        }
        for (int i = 0; i < namesAndValues.length; i += 2) {
            env.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return env;
    }

    public static Workspace workspace(Catalog catalog, Map<String, String> env, Path workingDir) {
        return new Workspace(catalog, env, workingDir, false);
    }

    /** What one {@code ./kit ...} printed and returned. */
    public record Result(int exitCode, String out, String err) {
    }

    /** Runs the launcher in this JVM, as {@code ./kit args} would, capturing its output. */
    public static Result kit(Workspace workspace, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine kit = Kit.commandLine(workspace);
        kit.setOut(new PrintWriter(out, true));
        kit.setErr(new PrintWriter(err, true));
        int exitCode = kit.execute(args);
        return new Result(exitCode, out.toString(), err.toString());
    }

    /** Runs {@code ./kit command args...} in this JVM from {@code callerDir}, with a clean environment. */
    public static Result kitIn(Path callerDir, String command, String... args) {
        return kit(workspace(catalog(), env(), callerDir), withCommand(command, args));
    }

    /** As {@link #kitIn}, with {@code input} typed at the kit's prompts ({@code ./kit quiz}, {@code ./kit drill}). */
    public static Result kitAnswering(Path callerDir, String input, String command, String... args) {
        Workspace workspace = new Workspace(catalog(), env(), callerDir, false,
                new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        return kit(workspace, withCommand(command, args));
    }

    private static String[] withCommand(String command, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = command;
        System.arraycopy(args, 0, all, 1, args.length);
        return all;
    }

    /** Skips a test whose module the reactor has not built (it builds 01 and 02 before workshop). */
    public static void assumeBuilt(Catalog catalog, String id) {
        Catalog.Status status = catalog.status(catalog.require(id));
        Assumptions.assumeTrue(status.state() == Catalog.State.BUILT,
                "module " + id + " has no build output (" + status.reason() + "); build the reactor first");
    }

    /**
     * A temporary checkout holding only the stand-in module 98, "built": its classpath.txt names
     * the test classes, as a real module's names its dependencies.
     */
    public static Catalog checkoutWithWhereAmI(Path root, Module... more) {
        try {
            Path target = Files.createDirectories(root.resolve(WHERE_AM_I.folder()).resolve("target/classes"))
                    .getParent();
            Path testClasses = Path.of(WhereAmI.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Files.writeString(target.resolve("classpath.txt"), testClasses.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<Module> modules = new java.util.ArrayList<>(List.of(WHERE_AM_I));
        modules.addAll(List.of(more));
        assertThat(root.resolve("98-where-am-i/target/classpath.txt")).exists();
        return new Catalog(root, modules);
    }
}

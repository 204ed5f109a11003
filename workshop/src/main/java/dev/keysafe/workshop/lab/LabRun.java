package dev.keysafe.workshop.lab;

import dev.keysafe.testkit.AppRun;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.leaks.Finding;
import dev.keysafe.testkit.run.LeakProbe;
import dev.keysafe.testkit.run.ModuleLaunch;
import dev.keysafe.testkit.run.ModuleRunner;
import dev.keysafe.testkit.run.RunResult;
import dev.keysafe.testkit.run.Scenario;
import dev.keysafe.testkit.stub.OpenAiStub;
import dev.keysafe.workshop.KitException;
import dev.keysafe.workshop.ModuleBuild;
import dev.keysafe.workshop.lab.LabCheck.Problem;
import dev.keysafe.workshop.shared.ChannelCodes;
import dev.keysafe.workshop.shared.ErrorLine;
import dev.keysafe.workshop.shared.WorkDir;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * One check of a learner's copy of a lab: compiles it against the reference module's classpath,
 * and runs it through the leak suite's probes with a fresh throwaway key and a local OpenAI stub,
 * turning every finding into a {@link Problem} with a hint.
 */
public final class LabRun {

    private final Lab lab;
    private final Path copy;
    private final ModuleBuild build;
    private String classpath;

    LabRun(Lab lab, Path copy, ModuleBuild build) {
        this.lab = lab;
        this.copy = copy;
        this.build = build;
    }

    /** The learner's working copy. */
    public Path copy() {
        return copy;
    }

    /**
     * Compiles every {@code .java} file of the copy into {@code .build/classes} inside it, with the
     * JDK's own compiler; the problems are the compiler's errors (file, line, message).
     */
    List<Problem> compile() throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new KitException("this Java has no compiler (a JRE, not a JDK): install a JDK 17+ and set JAVA_HOME.");
        }
        Path classes = copy.resolve(".build/classes");
        WorkDir.delete(classes);
        Files.createDirectories(classes);
        List<File> sources;
        try (Stream<Path> files = Files.walk(copy)) {
            sources = files.filter(p -> p.toString().endsWith(".java") && !p.startsWith(copy.resolve(".build")))
                    .map(Path::toFile).sorted().toList();
        }
        List<Problem> problems = new ArrayList<>();
        if (sources.isEmpty()) {
            problems.add(new Problem("no .java file in " + copy, "start over: ./kit lab start " + lab.id() + " --over"));
            return problems;
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
            List<String> options = List.of("-d", classes.toString(), "-cp", build.classpath(), "--release", "17",
                    "-proc:none", "-nowarn", "-encoding", "UTF-8");
            boolean ok = javac.getTask(new StringWriter(), files, diagnostics, options, null,
                    files.getJavaFileObjectsFromFiles(sources)).call();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                if (d.getKind() == Diagnostic.Kind.ERROR) {
                    String where = d.getSource() == null ? "" : copy.relativize(Path.of(d.getSource().toUri())) + ":"
                            + d.getLineNumber() + ": ";
                    problems.add(new Problem("does not compile: " + where + d.getMessage(Locale.ROOT).lines().findFirst().orElse(""),
                            "fix the compile error first; the check runs your code, so it must build"));
                }
            }
            if (!ok && problems.isEmpty()) {
                problems.add(new Problem("does not compile", "run javac on it to see why"));
            }
        }
        // The learner's classes first: they replace the module's own, as a fixed module would.
        classpath = classes + File.pathSeparator + build.classpath();
        return problems;
    }

    /** The reference module's build the copy is compiled and run against. */
    ModuleBuild build() {
        return build;
    }

    /** The learner's classes, then the module's classpath (after {@link #compile()}). */
    String classpath() {
        if (classpath == null) {
            throw new IllegalStateException("compile() first");
        }
        return classpath;
    }

    /** The lab being checked. */
    Lab lab() {
        return lab;
    }

    /** A launch of the learner's program: its main class, its classes before the module's. */
    public ModuleLaunch launch() {
        if (classpath == null) {
            throw new IllegalStateException("compile() first");
        }
        return ModuleLaunch.of(lab.mainClass()).classpath(classpath);
    }

    /** What one probe found wrong, and the run itself, for the lab's own checks of what it printed. */
    public record Probed(List<Problem> problems, AppRun run, Canary key) {
    }

    /**
     * One probe of the leak suite: a fresh key, a fresh stub, the learner's program given the key
     * by {@code setup}, run in {@code scenario}. Every channel the key reached becomes a problem.
     */
    public Probed probe(String title, Scenario scenario, BiFunction<ModuleLaunch, Canary, ModuleLaunch> setup) {
        Canary key = Canary.fresh();
        Path workDir = WorkDir.create("keysafe-lab-" + lab.id() + "-");
        try (OpenAiStub stub = OpenAiStub.start()) {
            LeakProbe.Probe probe = LeakProbe.run(scenario, setup.apply(launch(), key), key, stub, workDir);
            List<Problem> problems = new ArrayList<>();
            for (Finding finding : probe.findings()) {
                problems.add(new Problem(title + ": " + ChannelCodes.line(finding), hintFor(finding, false)));
            }
            if (!probe.keyReachedUpstream(key)) {
                problems.add(new Problem(title + ": the key never reached the OpenAI stub",
                        "the program must still call the API with the key it was given"));
            }
            if (!probe.behavedAsExpected()) {
                problems.add(new Problem(title + ": " + (scenario.answers()
                        ? "it did not print the answer (exit " + probe.run().exitCode() + ")"
                        : "it did not fail cleanly (a non-zero exit and a message on stderr)"),
                        "keep the program working: fixing a leak must not break the lesson"));
            }
            return new Probed(problems, probe.run(), key);
        } finally {
            WorkDir.delete(workDir);
        }
    }

    /** Runs the learner's program once against {@code stub}, in a temporary folder. */
    public RunResult run(ModuleLaunch launch, OpenAiStub stub) {
        Path workDir = WorkDir.create("keysafe-lab-" + lab.id() + "-");
        try {
            if (!launch.env().containsKey("OPENAI_BASE_URL")) {
                launch.env("OPENAI_BASE_URL", stub.baseUrl());
            }
            return ModuleRunner.run(launch, workDir);
        } finally {
            WorkDir.delete(workDir);
        }
    }

    /**
     * What to look at for one finding; it names the mistake, never the fix's code. {@code server}:
     * the finding is a server's (06), whose clients must never get the upstream's words.
     */
    static String hintFor(Finding finding, boolean server) {
        if (finding.form().startsWith("masked")) {
            return server
                    ? "OpenAI's error body echoes the key it was sent (masked). Do not pass the upstream's answer,"
                            + " or any part of it, back to a client: say what failed in the proxy's own words."
                    : "OpenAI's error body echoes the key it was sent (masked). Do not print or wrap the upstream"
                            + " error's message: say what failed in your own words, as the module does.";
        }
        return switch (finding.channel()) {
            case C1 -> server ? "a client received the key: nothing from upstream goes back to a client as it is."
                    : "the key reached standard output: print only the answer.";
            case C7 -> "a log or error line printed the key. A key never goes in a log: show its fingerprint"
                    + " (ApiKey's toString gives ...abcd) or nothing.";
            case C9 -> "an exception message carries the key: never build a message from the key or from the"
                    + " upstream's response.";
            case C11 -> "the key is on the command line, where ps shows it to everyone: pass it in the environment.";
            case C13, C20 -> "a file the run wrote holds the key: do not write it to disk.";
            case C10 -> "the key followed a redirect to another host: do not follow redirects with credentials.";
            case C21 -> "a key other than the one meant for this run went upstream. Use only the chosen"
                    + " environment's key; never fall back to another.";
            default -> "the key reached " + finding.channel() + ": find where the program hands it out.";
        };
    }

    /**
     * The program's own message in {@code stderr}, to quote in a problem; withheld when it holds
     * {@code key} in any form, so a check never prints what it caught.
     */
    static String quoted(String stderr, Canary key) {
        String line = ErrorLine.in(stderr).strip();
        return key.formsIn(line).isEmpty() ? "\"" + line + "\"" : "(its message, withheld: it holds the key)";
    }

    /** The problems, each once, in order. */
    static List<Problem> distinct(List<Problem> problems) {
        return new ArrayList<>(new LinkedHashSet<>(problems));
    }
}

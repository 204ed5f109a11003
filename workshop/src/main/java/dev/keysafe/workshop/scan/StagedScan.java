package dev.keysafe.workshop.scan;

import dev.keysafe.common.ExitCode;
import dev.keysafe.workshop.KitException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The pre-commit hook's entry point: {@code ./kit scan --staged}, started with the least the JVM
 * must load (no launcher, no other command, no option parser), because every commit waits for
 * it. {@code workshop/bin/keysafe-pre-commit} calls it; it takes
 * {@code [--baseline FILE] [--format text|json|sarif] [PATH]} and exits as {@code ./kit scan} does
 * (0 clean, 1 found, 2 cannot scan; 64 for an argument it does not know).
 */
public final class StagedScan {

    private static final String USAGE = "Use: keysafe-pre-commit [--baseline FILE] [--format text|json|sarif] [PATH]";

    private StagedScan() {
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int code = run(args, Path.of("").toAbsolutePath(), Path.of(System.getProperty("keysafe.home", "")), out, err);
        out.flush();
        System.exit(code);
    }

    static int run(String[] args, Path workingDir, Path kitRoot, PrintWriter out, PrintWriter err) {
        String path = null;
        Path baseline = null;
        ScanRun.Format format = ScanRun.Format.text;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--staged" -> {
                        // what this entry point always does; accepted so both commands read alike
                    }
                    case "--baseline" -> baseline = workingDir.resolve(value(args, ++i, "--baseline")).normalize();
                    case "--format" -> format = format(value(args, ++i, "--format"));
                    default -> {
                        if (args[i].startsWith("-") || path != null) {
                            throw new KitException("unknown argument " + args[i] + ". " + USAGE);
                        }
                        path = args[i];
                    }
                }
            }
            Path dir = ScanRun.folder(workingDir, path, ExitCode.CONFIG);
            return new ScanRun(dir, ScanRun.Scope.STAGED, format, baseline, null, kitRoot).run(out, err);
        } catch (KitException problem) {
            err.println("kit: " + problem.getMessage());
            return problem.exitCode();
        } catch (RuntimeException unexpected) {
            // Exit 1 means "a key was found" to the hook: anything else that stops the scan is a 2.
            err.println("kit: the scan could not run (" + unexpected.getClass().getSimpleName() + ": "
                    + unexpected.getMessage() + ").");
            return ExitCode.CONFIG;
        }
    }

    private static String value(String[] args, int at, String option) {
        if (at >= args.length) {
            throw new KitException(option + " needs a value. " + USAGE);
        }
        return args[at];
    }

    private static ScanRun.Format format(String name) {
        for (ScanRun.Format format : ScanRun.Format.values()) {
            if (format.name().equals(name)) {
                return format;
            }
        }
        throw new KitException("unknown format " + name + ". " + USAGE);
    }
}

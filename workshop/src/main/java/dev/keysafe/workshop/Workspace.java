package dev.keysafe.workshop;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the launcher runs with: the catalog of modules, and the caller's environment and working
 * directory, which {@code ./kit run} hands to a module unchanged. Tests build their own, so no
 * developer's real key is ever passed to a module under test.
 *
 * @param catalog      the modules and where their builds are
 * @param env          the caller's environment
 * @param workingDir   the caller's working directory
 * @param inheritStdin whether a module reads the caller's standard input (true for a user)
 * @param stdin        what the kit itself reads answers from ({@code ./kit quiz})
 */
public record Workspace(Catalog catalog, Map<String, String> env, Path workingDir, boolean inheritStdin,
                        InputStream stdin) {

    public Workspace {
        env = Map.copyOf(env);
        workingDir = workingDir.toAbsolutePath().normalize();
    }

    /** A workspace whose kit reads this process's standard input. */
    public Workspace(Catalog catalog, Map<String, String> env, Path workingDir, boolean inheritStdin) {
        this(catalog, env, workingDir, inheritStdin, System.in);
    }

    /** The kit's answers ({@link #stdin}) by line, in the charset the user's terminal types in. */
    public BufferedReader answers() {
        return new BufferedReader(new InputStreamReader(stdin, Charset.defaultCharset()));
    }

    /** The user's: the checkout found by {@link Catalog#locateRoot()}, this process's environment and directory. */
    public static Workspace ofThisProcess() {
        return new Workspace(Catalog.of(Catalog.locateRoot()), System.getenv(), Path.of(""), true);
    }
}

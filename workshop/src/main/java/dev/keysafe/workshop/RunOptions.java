package dev.keysafe.workshop;

/**
 * The choices a user can make about an offline run, handed to a module's {@link Offline} setup.
 * Modules ignore the ones that do not concern them. A new option is a new component here and an
 * {@code @Option} on {@code RunCommand}.
 *
 * @param environment the environment to select ({@code --env}, for 04), or null for the module's default
 * @param port        the port a server module listens on ({@code --port}, for 06; 0: any free
 *                    port), or null for the module's default
 */
public record RunOptions(String environment, Integer port) {

    /** No choices: every module's defaults. */
    public static final RunOptions NONE = new RunOptions(null, null);

    /** Only an environment chosen. */
    public RunOptions(String environment) {
        this(environment, null);
    }

    /** The chosen environment, or {@code fallback} when none was chosen. */
    public String environmentOr(String fallback) {
        return environment == null || environment.isBlank() ? fallback : environment;
    }

    /** The chosen port, or {@code fallback} when none was chosen. */
    public int portOr(int fallback) {
        return port == null ? fallback : port;
    }
}

package dev.keysafe.workshop.shared;

import dev.keysafe.testkit.run.ModuleLaunch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * How the launcher starts a module's JVM: the launch's files planted in its working directory, and
 * only the environment it is given (the caller's, cleaned, or the offline one) plus the launch's own.
 */
public final class ProcessStart {

    private ProcessStart() {
    }

    /** A process builder for {@code launch} in {@code workDir}, its files already written there. */
    public static ProcessBuilder builder(ModuleLaunch launch, Path workDir, Map<String, String> env) throws IOException {
        for (Map.Entry<String, String> file : launch.files().entrySet()) {
            WorkDir.plant(workDir.resolve(file.getKey()), file.getValue());
        }
        ProcessBuilder builder = new ProcessBuilder(launch.command(java.util.List.of())).directory(workDir.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        builder.environment().putAll(launch.env());
        return builder;
    }
}

package dev.keysafe.workshop;

import java.nio.file.Path;

/**
 * A module whose build output exists: where its folder is and the classpath to run it with (its
 * runtime dependencies from {@code target/classpath.txt}, then its own jar or classes).
 */
public record ModuleBuild(Module module, Path dir, String classpath) {
}

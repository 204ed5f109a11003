package dev.keysafe.workshop.shared;

import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Detectors;
import dev.keysafe.testkit.leaks.Finding;
import dev.keysafe.testkit.run.ModuleLaunch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The files a server wrote in its working directory and its temp directory (crash reports,
 * caches), searched for its key: C13 in the working directory, C20 in {@code .tmp/}. The files
 * the kit planted for it are not its own writing and are left out.
 */
public final class FilesWritten {

    private FilesWritten() {
    }

    /** Where {@code key} shows up in the files the server wrote below {@code workDir}. */
    public static List<Finding> findings(Canary key, Path workDir, ModuleLaunch launch) throws IOException {
        Set<Path> planted = new HashSet<>();
        launch.files().keySet().forEach(name -> planted.add(workDir.resolve(name)));
        try (var files = Files.walk(workDir)) {
            List<Path> written = files.filter(Files::isRegularFile).filter(p -> !planted.contains(p)).sorted().toList();
            List<Finding> found = new ArrayList<>();
            for (Path file : written) {
                found.addAll(Detectors.inFiles(key, file.startsWith(workDir.resolve(".tmp")) ? Channel.C20 : Channel.C13,
                        List.of(file)));
            }
            return found;
        }
    }
}

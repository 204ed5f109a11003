package dev.keysafe.testkit.leaks;

import dev.keysafe.common.Json;
import dev.keysafe.testkit.Needle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;

/**
 * The leak detectors, each usable alone: give one a {@link Needle} (a canary, or the key shapes
 * scanners know) and a place, get back where it was found. Bytes are read as ISO-8859-1 so class
 * files and other binaries are searched byte for byte.
 */
public final class Detectors {

    private static final long MAX_FILE_BYTES = 16L * 1024 * 1024;

    private Detectors() {
    }

    /** Captured text: stdout, stderr, a log, an exception message, a response body. */
    public static List<Finding> inText(Needle needle, Channel channel, String where, String text) {
        List<Finding> found = new ArrayList<>();
        for (String form : needle.formsIn(text == null ? "" : text)) {
            found.add(new Finding(channel, where, form));
        }
        return found;
    }

    /**
     * Captured text, with the line of each find: {@code where line N}, the first line that holds
     * each form. A form only found across lines (a key split by a wrap) is reported without one.
     */
    public static List<Finding> inLines(Needle needle, Channel channel, String where, String text) {
        List<Finding> found = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        String[] lines = (text == null ? "" : text).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            for (String form : needle.formsIn(lines[i])) {
                if (seen.add(form)) {
                    found.add(new Finding(channel, where + " line " + (i + 1), form));
                }
            }
        }
        for (String form : needle.formsIn(text == null ? "" : text)) {
            if (seen.add(form)) {
                found.add(new Finding(channel, where, form));
            }
        }
        return found;
    }

    /** An exception, its message and every cause, and its stack trace as it would be logged. */
    public static List<Finding> inThrowable(Needle needle, Throwable thrown) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            all.append(t).append('\n');
            for (Throwable suppressed : t.getSuppressed()) {
                all.append(suppressed).append('\n');
            }
        }
        java.io.StringWriter trace = new java.io.StringWriter();
        thrown.printStackTrace(new java.io.PrintWriter(trace));
        all.append(trace);
        return inText(needle, Channel.C9, "exception " + thrown.getClass().getName(), all.toString());
    }

    /** {@code toString()} and Jackson serialisation of each object that holds a key. */
    public static List<Finding> inObjects(Needle needle, Collection<?> holders) {
        List<Finding> found = new ArrayList<>();
        for (Object holder : holders) {
            String type = holder.getClass().getSimpleName();
            found.addAll(inText(needle, Channel.C8, type + ".toString()", String.valueOf(holder)));
            String json;
            try {
                json = Json.MAPPER.writeValueAsString(holder);
            } catch (Exception refused) {
                // refusing to serialise is safe, as long as the refusal does not quote the key
                json = String.valueOf(refused.getMessage());
            }
            found.addAll(inText(needle, Channel.C8, type + " as JSON", json));
        }
        return found;
    }

    /** The command line and JVM arguments of a process. */
    public static List<Finding> inCommandLine(Needle needle, List<String> commandLine) {
        return inText(needle, Channel.C11, "command line", String.join(" ", commandLine));
    }

    /** The given files, byte for byte; jars and zips are opened and each entry searched. */
    public static List<Finding> inFiles(Needle needle, Channel channel, Collection<Path> files) {
        List<Finding> found = new ArrayList<>();
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                continue;
            }
            String name = file.getFileName().toString();
            if (name.endsWith(".jar") || name.endsWith(".zip")) {
                found.addAll(inJar(needle, channel, file));
            } else {
                found.addAll(inText(needle, channel, "file " + file, readLatin1(file)));
            }
        }
        return found;
    }

    /** Every regular file below {@code dir}. */
    public static List<Finding> inTree(Needle needle, Channel channel, Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return inFiles(needle, channel, files.filter(Files::isRegularFile).sorted().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Each entry of a jar or zip. */
    public static List<Finding> inJar(Needle needle, Channel channel, Path jar) {
        List<Finding> found = new ArrayList<>();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(jar))) {
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                if (!entry.isDirectory()) {
                    String bytes = new String(readLimited(zip), StandardCharsets.ISO_8859_1);
                    found.addAll(inText(needle, channel, jar.getFileName() + "!/" + entry.getName(), bytes));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + jar, e);
        }
        return found;
    }

    /** Entries of a jar whose name matches {@code regex} (a packaged {@code .env}, say). */
    public static List<String> jarEntriesNamed(Path jar, String regex) {
        List<String> names = new ArrayList<>();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(jar))) {
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                String base = entry.getName().substring(entry.getName().lastIndexOf('/') + 1);
                if (base.matches(regex)) {
                    names.add(entry.getName());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + jar, e);
        }
        return names;
    }

    /**
     * A module's build output: its jars, compiled classes and test reports ({@code target/}). Run
     * after {@code package} (from an integration test) so the jar exists.
     */
    public static List<Finding> inBuildOutput(Needle needle, Path moduleDir) {
        Path target = moduleDir.resolve("target");
        List<Finding> found = new ArrayList<>();
        try (Stream<Path> top = Files.isDirectory(target) ? Files.list(target) : Stream.empty()) {
            found.addAll(inFiles(needle, Channel.C16, top.filter(p -> p.toString().endsWith(".jar")).toList()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        found.addAll(inTree(needle, Channel.C16, target.resolve("classes")));
        found.addAll(inTree(needle, Channel.C16, target.resolve("surefire-reports")));
        found.addAll(inTree(needle, Channel.C16, target.resolve("failsafe-reports")));
        return found;
    }

    /** The jars a module's build produced (after {@code package}). */
    public static List<Path> builtJars(Path moduleDir) {
        Path target = moduleDir.resolve("target");
        if (!Files.isDirectory(target)) {
            return List.of();
        }
        try (Stream<Path> top = Files.list(target)) {
            return top.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Files of the working tree below {@code dir} that git would carry: tracked ones and untracked
     * ones that are not ignored. Outside a git checkout, every file below {@code dir} but build
     * output.
     */
    public static List<Finding> inWorkingTree(Needle needle, Path dir) {
        return inFiles(needle, Channel.C14, workingTreeFiles(dir));
    }

    /**
     * The files {@link #inWorkingTree} reads: tracked and untracked-not-ignored files below
     * {@code dir}, or, outside a git checkout, every file below it but {@code target/} and
     * {@code .git/}. Sorted.
     */
    public static List<Path> workingTreeFiles(Path dir) {
        Path absolute = dir.toAbsolutePath().normalize();
        try (Repository repo = openRepository(absolute)) {
            if (repo == null || repo.isBare()) {
                try (Stream<Path> files = Files.walk(absolute)) {
                    return files.filter(Files::isRegularFile)
                            .filter(p -> !gitPath(absolute, p).matches("(.*/)?(target|\\.git)/.*"))
                            .sorted().toList();
                }
            }
            Path top = repo.getWorkTree().toPath().toAbsolutePath().normalize();
            String prefix = gitPath(top, absolute);
            Set<String> paths = new TreeSet<>();
            DirCache index = repo.readDirCache();
            for (int i = 0; i < index.getEntryCount(); i++) {
                String path = index.getEntry(i).getPathString();
                if (prefix.isEmpty() || path.startsWith(prefix + "/")) {
                    paths.add(path);
                }
            }
            try (Git git = new Git(repo)) {
                var status = prefix.isEmpty() ? git.status() : git.status().addPath(prefix);
                paths.addAll(status.call().getUntracked());
            }
            return paths.stream().map(top::resolve).filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GitAPIException e) {
            throw new IllegalStateException("git status failed below " + dir, e);
        }
    }

    /**
     * Every version of every file below {@code dir} in every commit reachable from any ref of the
     * repository holding it: a key deleted in a later commit is still found.
     *
     * @return the findings; empty outside a git checkout (see {@link #isInGitCheckout(Path)})
     */
    public static List<Finding> inGitHistory(Needle needle, Path dir) {
        List<Finding> found = new ArrayList<>();
        forEachVersionInHistory(dir, version -> found.addAll(inText(needle, Channel.C15,
                "commit " + version.commit() + " " + version.path(), version.text())));
        return found;
    }

    /** One version of a file met in git history; {@code text} is its bytes as ISO-8859-1. */
    public record Version(String commit, String path, String text) {
        @Override
        public String toString() {
            return "commit " + commit + " " + path;
        }
    }

    /**
     * Visits each distinct version of each file below {@code dir}, in every commit reachable from
     * any ref (branches, tags, remotes, stash), once, at the newest commit holding it. Paths are
     * the repository's. Nothing is visited outside a git repository.
     */
    public static void forEachVersionInHistory(Path dir, Consumer<Version> visitor) {
        Path absolute = dir.toAbsolutePath().normalize();
        try (Repository repo = openRepository(absolute)) {
            if (repo == null) {
                return;
            }
            String prefix = repo.isBare() ? "" : gitPath(repo.getWorkTree().toPath().toAbsolutePath().normalize(), absolute);
            Set<ObjectId> blobsSeen = new HashSet<>();
            try (RevWalk walk = new RevWalk(repo)) {
                for (Ref ref : repo.getRefDatabase().getRefs()) {
                    ObjectId id = ref.getPeeledObjectId() != null ? ref.getPeeledObjectId() : ref.getObjectId();
                    if (id == null) {
                        continue;
                    }
                    RevObject object = walk.peel(walk.parseAny(id));
                    if (object instanceof RevCommit commit) {
                        walk.markStart(commit);
                    }
                }
                for (RevCommit commit : walk) {
                    try (TreeWalk tree = new TreeWalk(repo)) {
                        tree.addTree(commit.getTree());
                        tree.setRecursive(true);
                        if (!prefix.isEmpty()) {
                            tree.setFilter(PathFilter.create(prefix));
                        }
                        while (tree.next()) {
                            ObjectId blob = tree.getObjectId(0);
                            if (tree.getFileMode(0) == FileMode.GITLINK || !blobsSeen.add(blob)) {
                                continue;
                            }
                            var loader = repo.open(blob, Constants.OBJ_BLOB);
                            if (loader.getSize() > MAX_FILE_BYTES) {
                                continue;
                            }
                            visitor.accept(new Version(commit.abbreviate(10).name(), tree.getPathString(),
                                    new String(loader.getBytes(), StandardCharsets.ISO_8859_1)));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True when {@code dir} lies in a git work tree with at least one commit. */
    public static boolean isInGitCheckout(Path dir) {
        try (Repository repo = openRepository(dir.toAbsolutePath().normalize())) {
            return repo != null && repo.resolve(Constants.HEAD) != null;
        } catch (IOException e) {
            return false;
        }
    }

    private static Repository openRepository(Path dir) throws IOException {
        FileRepositoryBuilder builder = new FileRepositoryBuilder().readEnvironment().findGitDir(dir.toFile());
        if (builder.getGitDir() == null) {
            return null;
        }
        return builder.build();
    }

    private static String gitPath(Path top, Path dir) {
        return top.relativize(dir).toString().replace('\\', '/');
    }

    /** A file's bytes as ISO-8859-1 text, so binaries are searched byte for byte; "" past 16 MiB. */
    public static String readLatin1(Path file) {
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                return "";
            }
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] readLimited(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        long total = 0;
        for (int n; (n = in.read(buffer)) > 0 && total < MAX_FILE_BYTES; total += n) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }
}

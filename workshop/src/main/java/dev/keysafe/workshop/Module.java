package dev.keysafe.workshop;

import java.util.ArrayList;
import java.util.List;

/**
 * One module of the kit as the launcher knows it: its number, its folder, its main class, the
 * lesson it teaches in one line, and how to give it a throwaway key offline, its own way. Entries
 * live in {@link Catalog#MODULES}; adding a module is one {@link #practice} call there.
 *
 * @param id          the number a user types: {@code ./kit run 02}
 * @param folder      the module's folder at the repository root, e.g. {@code 02-env-vars}
 * @param mainClass   the class a user would run with {@code java}
 * @param lesson      what the module shows, in one line (the tour prints it)
 * @param kind        whether the module must keep its key (a practice) or must leak it (01)
 * @param keySource   which key the offline stub accepts: a fresh throwaway one, or 01's constant
 * @param offline     how the module is given that key, the module's own way
 * @param tourOptions the options the tour runs it with (04: a staging run)
 * @param demos       extra offline runs the tour shows after the leak probes (04: the refusal)
 */
public record Module(String id, String folder, String mainClass, String lesson, Kind kind,
                     KeySource keySource, Offline offline, RunOptions tourOptions, List<Demo> demos) {

    /** What the tour expects of a module's key. */
    public enum Kind {
        /** A practice: the key reaches the upstream API and nowhere else. */
        PRACTICE,
        /** The negative control: the detectors must find the key where it leaks, proving they see. */
        NEGATIVE_CONTROL
    }

    public Module {
        demos = List.copyOf(demos);
    }

    /** A module that keeps its key: given a fresh throwaway key offline, {@code offline}'s way. */
    public static Module practice(String id, String folder, String mainClass, String lesson, Offline offline) {
        return new Module(id, folder, mainClass, lesson, Kind.PRACTICE, KeySource.FRESH, offline,
                RunOptions.NONE, List.of());
    }

    /** A module that leaks on purpose, with the key it brings along ({@code keySource}). */
    public static Module negativeControl(String id, String folder, String mainClass, String lesson,
                                         KeySource keySource, Offline offline) {
        return new Module(id, folder, mainClass, lesson, Kind.NEGATIVE_CONTROL, keySource, offline,
                RunOptions.NONE, List.of());
    }

    /** The same module, run by the tour with {@code options}. */
    public Module touredWith(RunOptions options) {
        return new Module(id, folder, mainClass, lesson, kind, keySource, offline, options, demos);
    }

    /** The same module, with one more run the tour shows: {@code title}, expected to exit {@code exitCode}. */
    public Module withDemo(String title, int exitCode, Offline demoLaunch) {
        List<Demo> more = new ArrayList<>(demos);
        more.add(new Demo(title, exitCode, demoLaunch));
        return new Module(id, folder, mainClass, lesson, kind, keySource, offline, tourOptions, more);
    }

    /** The folder name without its number: {@code env-vars}. */
    public String shortName() {
        return folder.replaceFirst("^\\d+-", "");
    }

    /**
     * An extra run the tour shows and checks by exit code alone, such as a refusal to start.
     *
     * @param title    what it demonstrates, in a few words
     * @param exitCode the exit code a correct module gives
     * @param launch   how the module is started for it
     */
    public record Demo(String title, int exitCode, Offline launch) {
    }
}

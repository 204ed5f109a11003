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
 * @param tourOptions the options the tour runs it with (04: a staging run; 06: any free port)
 * @param demos       extra offline runs the tour shows after the leak probes (04: the refusal)
 * @param server      how the kit works it when it is a server that runs until stopped (06), or
 *                    null for a program that answers once and exits (01-05)
 * @param commands    further programs of the module, chosen by the first argument of
 *                    {@code ./kit run NN WORD ...} (06: {@code token})
 */
public record Module(String id, String folder, String mainClass, String lesson, Kind kind,
                     KeySource keySource, Offline offline, RunOptions tourOptions, List<Demo> demos,
                     Server server, List<Command> commands) {

    /** What the tour expects of a module's key. */
    public enum Kind {
        /** A practice: the key reaches the upstream API and nowhere else. */
        PRACTICE,
        /** The negative control: the detectors must find the key where it leaks, proving they see. */
        NEGATIVE_CONTROL
    }

    public Module {
        demos = List.copyOf(demos);
        commands = List.copyOf(commands);
    }

    /** A module that keeps its key: given a fresh throwaway key offline, {@code offline}'s way. */
    public static Module practice(String id, String folder, String mainClass, String lesson, Offline offline) {
        return new Module(id, folder, mainClass, lesson, Kind.PRACTICE, KeySource.FRESH, offline,
                RunOptions.NONE, List.of(), null, List.of());
    }

    /**
     * A module that keeps its key and is a server: {@code mainClass} runs until stopped, and
     * {@code server} says how the kit sees it is ready, sets up a demo and drives it in the tour.
     */
    public static Module server(String id, String folder, String mainClass, String lesson, Offline offline,
                                Server server) {
        return new Module(id, folder, mainClass, lesson, Kind.PRACTICE, KeySource.FRESH, offline,
                RunOptions.NONE, List.of(), server, List.of());
    }

    /** A module that leaks on purpose, with the key it brings along ({@code keySource}). */
    public static Module negativeControl(String id, String folder, String mainClass, String lesson,
                                         KeySource keySource, Offline offline) {
        return new Module(id, folder, mainClass, lesson, Kind.NEGATIVE_CONTROL, keySource, offline,
                RunOptions.NONE, List.of(), null, List.of());
    }

    /** The same module, run by the tour with {@code options}. */
    public Module touredWith(RunOptions options) {
        return new Module(id, folder, mainClass, lesson, kind, keySource, offline, options, demos, server, commands);
    }

    /** The same module, with one more run the tour shows: {@code title}, expected to exit {@code exitCode}. */
    public Module withDemo(String title, int exitCode, Offline demoLaunch) {
        return withDemo(title, exitCode, null, demoLaunch);
    }

    /**
     * The same module, with one more run the tour shows, expected to exit {@code exitCode} and to
     * print a line matching {@code shows} on stdout (05: the rotation it lived through).
     */
    public Module withDemo(String title, int exitCode, java.util.regex.Pattern shows, Offline demoLaunch) {
        List<Demo> more = new ArrayList<>(demos);
        more.add(new Demo(title, exitCode, shows, demoLaunch));
        return new Module(id, folder, mainClass, lesson, kind, keySource, offline, tourOptions, more, server, commands);
    }

    /**
     * The same module, with one more program a user picks by its first argument:
     * {@code ./kit run NN word ARG...} runs {@code mainClass} with the arguments after the word.
     * It talks to something already running (06's token command), so it has no {@code --offline}
     * and everything after the word is its own, {@code --help} included.
     */
    public Module withCommand(String word, String commandMainClass, String summary) {
        return withCommand(word, commandMainClass, summary, null);
    }

    /**
     * The same module, with one more program a user picks by its first argument, which also runs
     * offline, given its key by {@code commandOffline} (05's {@code rotate-demo}). Kit options may still
     * follow the word, as they may follow the module id.
     */
    public Module withCommand(String word, String commandMainClass, String summary, Offline commandOffline) {
        List<Command> more = new ArrayList<>(commands);
        more.add(new Command(word, commandMainClass, summary, commandOffline));
        return new Module(id, folder, mainClass, lesson, kind, keySource, offline, tourOptions, demos, server, more);
    }

    /** The program {@code word} names ({@code token} for 06), if the module has one. */
    public java.util.Optional<Command> command(String word) {
        return commands.stream().filter(c -> c.word().equals(word)).findFirst();
    }

    /** Whether it is a server that runs until stopped, rather than a program that answers once. */
    public boolean isServer() {
        return server != null;
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
     * @param shows    what a correct module prints on stdout, or null when the exit code says all
     * @param launch   how the module is started for it
     */
    public record Demo(String title, int exitCode, java.util.regex.Pattern shows, Offline launch) {
    }

    /**
     * A further program of the module, run by {@code ./kit run NN word ARG...} in the caller's
     * directory and environment, with the arguments after the word passed through unchanged.
     *
     * @param word      what the user types after the module id
     * @param mainClass the class it runs
     * @param summary   what it does, in a few words (the help lists it)
     * @param offline   how it is given its key with {@code --offline}, or null when it has no
     *                  offline run (it talks to something already running)
     */
    public record Command(String word, String mainClass, String summary, Offline offline) {

        /** Whether {@code ./kit run NN --offline word} runs it (05's rotate demo does; 06's token does not). */
        public boolean runsOffline() {
            return offline != null;
        }
    }
}

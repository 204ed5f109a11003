package dev.keysafe.testkit.run;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a module is started as its own JVM: its main class, the environment it gets, the files
 * planted in its working directory, its arguments. This is where a module says "how my app is
 * given a key". {@code toString()} lists names, never values.
 */
public final class ModuleLaunch {

    private final String mainClass;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Map<String, String> files = new LinkedHashMap<>();
    private final List<String> args = new ArrayList<>();
    private final List<String> jvmArgs = new ArrayList<>();
    private String classpath = System.getProperty("java.class.path");

    private ModuleLaunch(String mainClass) {
        this.mainClass = mainClass;
    }

    /** A launch of {@code mainClass} with an empty environment (no OPENAI_* from the caller). */
    public static ModuleLaunch of(String mainClass) {
        return new ModuleLaunch(mainClass);
    }

    /** Sets an environment variable for the module. */
    public ModuleLaunch env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Writes a file into the module's working directory before it starts. */
    public ModuleLaunch file(String relativePath, String content) {
        files.put(relativePath, content);
        return this;
    }

    /** Appends command-line arguments. */
    public ModuleLaunch args(String... more) {
        args.addAll(List.of(more));
        return this;
    }

    /** Appends JVM options (before the main class). */
    public ModuleLaunch jvmArgs(String... more) {
        jvmArgs.addAll(List.of(more));
        return this;
    }

    /** The module's classpath; by default the current JVM's (right for a module's own tests). */
    public ModuleLaunch classpath(String newClasspath) {
        this.classpath = newClasspath;
        return this;
    }

    /**
     * The command that starts this launch: this JVM's {@code java}, {@code beforeJvmArgs}, the
     * launch's own JVM options, its classpath, main class and arguments.
     */
    public List<String> command(List<String> beforeJvmArgs) {
        List<String> command = new ArrayList<>();
        command.add(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(beforeJvmArgs);
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    /** A copy, so a scenario can add to a launch without changing the module's own. */
    public ModuleLaunch copy() {
        ModuleLaunch copy = new ModuleLaunch(mainClass);
        copy.env.putAll(env);
        copy.files.putAll(files);
        copy.args.addAll(args);
        copy.jvmArgs.addAll(jvmArgs);
        copy.classpath = classpath;
        return copy;
    }

    public String mainClass() {
        return mainClass;
    }

    public Map<String, String> env() {
        return Map.copyOf(env);
    }

    public Map<String, String> files() {
        return Map.copyOf(files);
    }

    public List<String> args() {
        return List.copyOf(args);
    }

    public List<String> jvmArgs() {
        return List.copyOf(jvmArgs);
    }

    public String classpath() {
        return classpath;
    }

    @Override
    public String toString() {
        return "ModuleLaunch[" + mainClass + ", env " + env.keySet() + ", files " + files.keySet()
                + ", " + args.size() + " args]";
    }
}

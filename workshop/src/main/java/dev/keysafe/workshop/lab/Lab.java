package dev.keysafe.workshop.lab;

import java.util.List;

/**
 * A hands-on lab: a small leaky starter the learner copies ({@code ./kit lab start}), edits, and
 * proves fixed ({@code ./kit lab check}). Its text (scenario, what to do, how it is checked, why
 * it matters, guidance) is {@code labs/<name>/README.md}; its starter files are below
 * {@code labs/<name>/starter/}. Entries live in {@link Labs#LABS}.
 *
 * @param id        the number a learner types, the number of the module it practises: {@code 02}
 * @param name      its folder below {@code labs/} and {@code labs-work/}: {@code 02-logged-key}
 * @param title     what the learner fixes, in one line
 * @param moduleId  the reference module whose build the learner's copy runs with, or null (scanning lab)
 * @param mainClass the class the check runs, or null
 * @param files     the learner's files, each with the reference file that solves it
 * @param hints     hints, from gentle to precise, shown one at a time; none gives the solution away
 * @param check     what decides whether the lab is solved
 * @param start     what {@code lab start} does besides copying the starter files (the scanning lab
 *                  builds a git repository), or null
 * @param solved    what a passed check proves, in one sentence, for the learner who passed it
 * @param procedure the solution when it is a procedure, not a file (01: a history rewrite), one
 *                  line each, shown only by {@code lab solution}; empty when {@code files} hold it
 */
public record Lab(String id, String name, String title, String moduleId, String mainClass, List<LabFile> files,
                  List<String> hints, LabCheck check, Starter start, String solved, List<String> procedure) {

    public Lab {
        files = List.copyOf(files);
        hints = List.copyOf(hints);
        procedure = List.copyOf(procedure);
    }

    /** A lab whose learner edits {@code files}, each solved by the module's own file. */
    static Lab fixing(String id, String name, String title, String moduleId, String mainClass, List<LabFile> files,
                      List<String> hints, LabCheck check, String solved) {
        return new Lab(id, name, title, moduleId, mainClass, files, hints, check, null, solved, List.of());
    }

    /**
     * One file the learner edits.
     *
     * @param path      its path in the learner's copy, e.g. {@code dev/keysafe/envvars/Ask.java}
     * @param reference the file that solves it, relative to the repository root
     */
    public record LabFile(String path, String reference) {
    }

    /** Extra set-up of a lab's working copy. */
    @FunctionalInterface
    public interface Starter {
        void prepare(java.nio.file.Path copy) throws Exception;
    }
}

package dev.keysafe.workshop.lab;

import java.util.List;

/**
 * What decides whether a lab is solved: given the learner's compiled copy, it returns what is
 * still wrong, each with a hint; an empty list means solved.
 */
@FunctionalInterface
public interface LabCheck {

    List<Problem> run(LabRun run) throws Exception;

    /**
     * Something still wrong: where (a channel, a file, a run) and a hint that points the way
     * without giving the solution.
     */
    record Problem(String what, String hint) {
    }
}

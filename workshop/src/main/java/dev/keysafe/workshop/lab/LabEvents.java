package dev.keysafe.workshop.lab;

import java.io.PrintWriter;

/**
 * Where the lab commands tell of a learner's progress besides the learner's own progress file: a
 * workshop room the learner joined ({@code ./kit room join}), or nowhere ({@link #NONE}). Called
 * once by {@code lab start}, once by {@code lab hint} for each new hint, and once by a passing
 * {@code lab check}; never for anything else.
 */
@FunctionalInterface
public interface LabEvents {

    /** Tells no one: the labs exactly as without a room. */
    LabEvents NONE = (event, warnings) -> { };

    /**
     * Passes {@code event} on. Must never throw and never hold the lab up for long: a report that
     * fails is at most one line on {@code warnings}, and the lab command goes on as if it had not
     * been made.
     */
    void report(LabEvent event, PrintWriter warnings);
}

package dev.keysafe.workshop.drill;

import java.util.function.Function;

/**
 * One step of the drill: what happens, in a few words; the story a facilitator tells before it;
 * and what it does, printing what it sees and checking its own outcome.
 *
 * @param title  what happens: {@code the key is rotated while traffic continues}
 * @param story  the story, which may name what earlier steps found (a key's fingerprint)
 * @param action what the step does to the incident
 */
record Step(String title, Function<Incident, String> story, Action action) {

    /** The work of a step. */
    @FunctionalInterface
    interface Action {
        void run(Incident incident) throws Exception;
    }
}

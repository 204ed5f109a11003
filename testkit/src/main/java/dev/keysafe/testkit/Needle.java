package dev.keysafe.testkit;

import java.util.List;

/**
 * Something the leak detectors search for: a canary key in all its forms, or the key shapes a
 * secret scanner knows. A match names the form found, never the value.
 */
public interface Needle {

    /** The names of the forms of this needle found in {@code text}; empty when it is clean. */
    List<String> formsIn(String text);
}

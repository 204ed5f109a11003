package dev.keysafe.hardcoded;

/**
 * Module 01's settings: the model to ask and the key to send. A plain record, so its generated
 * {@code toString()} prints every field, the key included.
 */
// MISTAKE 2 (fixed by 02-env-vars): the key is a bare String in a record. Its toString() and its
// JSON show the key to whoever logs or serialises the config; 02 keeps it in a type that prints
// only the last four characters.
public record Config(String model, String apiKey) {

    /** The settings this program runs with. */
    public static Config load() {
        return new Config("gpt-4o-mini", HardcodedKey.API_KEY);
    }
}

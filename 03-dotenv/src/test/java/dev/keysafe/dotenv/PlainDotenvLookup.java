package dev.keysafe.dotenv;

import io.github.cdimascio.dotenv.Dotenv;

/**
 * dotenv-java used plainly, as its README shows, for the classpath-fallback test: prints whether
 * it found OPENAI_API_KEY in a .env file, never the value.
 */
public final class PlainDotenvLookup {

    private PlainDotenvLookup() {
    }

    public static void main(String[] args) {
        boolean found = Dotenv.configure().ignoreIfMissing().load()
                .entries(Dotenv.Filter.DECLARED_IN_ENV_FILE).stream()
                .anyMatch(entry -> entry.getKey().equals("OPENAI_API_KEY"));
        System.out.println(found ? "found OPENAI_API_KEY" : "no OPENAI_API_KEY");
    }
}

package dev.keysafe.dotenv;

import dev.keysafe.common.ApiKey;
import dev.keysafe.common.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where module 03 gets its key: OPENAI_API_KEY from the environment or, when it is not set there,
 * from the {@code .env} file in the working directory ({@link DotenvFile}).
 */
public final class DotenvKey {

    /** The variable the key is read from, in the environment or in the file. */
    public static final String VARIABLE = "OPENAI_API_KEY";

    private DotenvKey() {
    }

    /**
     * The key from {@code settings}, as {@link DotenvFile#settings} built them from the
     * environment and {@code dir/.env}.
     *
     * @throws ConfigException when the key is in neither; the message names the variable and the
     *                         file looked for, never a value
     */
    public static ApiKey from(Map<String, String> settings, Path dir) {
        String value = settings.get(VARIABLE);
        if (value == null || value.isBlank()) {
            Path file = dir.resolve(DotenvFile.NAME).toAbsolutePath().normalize();
            String fix = Files.isRegularFile(file)
                    ? file + " has no " + VARIABLE + " line. Add one (" + VARIABLE + "=your key)"
                    : "there is no " + file + ". Copy .env.example to .env and put your key in it";
            throw new ConfigException(VARIABLE + " is not set: it is not in the environment, and " + fix
                    + ", or export " + VARIABLE + "=... (see 03-dotenv/README.md).");
        }
        return ApiKey.of(value);
    }
}

package dev.keysafe.workshop.testmodule;

import java.nio.file.Path;
import java.util.List;

/**
 * A stand-in module for the launcher's tests: prints the directory it runs in, its arguments,
 * which variables it was given (set or unset, never a value, except the harmless test marker),
 * and exits with the code it is asked for ({@code exit N}).
 */
public final class WhereAmI {

    private WhereAmI() {
    }

    public static void main(String[] args) {
        System.out.println("dir=" + Path.of("").toAbsolutePath());
        System.out.println("args=" + String.join("|", args));
        System.out.println("marker=" + System.getenv("KIT_TEST_MARKER"));
        for (String name : List.of("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "AWS_REGION")) {
            System.out.println(name + "=" + (System.getenv(name) == null ? "unset" : "set"));
        }
        System.err.println("stderr reaches the caller");
        if (args.length == 2 && args[0].equals("exit")) {
            System.exit(Integer.parseInt(args[1]));
        }
    }
}

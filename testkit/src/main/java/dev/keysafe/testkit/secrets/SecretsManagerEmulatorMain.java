package dev.keysafe.testkit.secrets;

import dev.keysafe.common.ExitCode;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** The Secrets Manager emulator as a program of its own, for trying module 05 by hand. */
public final class SecretsManagerEmulatorMain {

    static final String USAGE =
            "usage: SecretsManagerEmulatorMain [--port N] [--secret NAME=VALUE]... [--openai-stub [--rotate-every SECONDS]]";

    private SecretsManagerEmulatorMain() {
    }

    /**
     * Runs the emulator on its own until interrupted (options: {@link #USAGE}). With {@code --openai-stub}
     * it also starts the OpenAI stub, plants a throwaway key in {@value SecretsManagerEmulator#DEMO_SECRET_ID},
     * prints the settings module 05 needs, and can rotate that key on a schedule (revoking the old one after
     * half the interval), so rotation can be watched. A bad option or a port already taken gets one line on
     * stderr and exit 2, never a stack trace.
     */
    public static void main(String[] args) throws InterruptedException {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage() + " (try --help)");
            System.exit(ExitCode.CONFIG);
            return;
        }
        if (options.help()) {
            System.out.println(USAGE);
            return;
        }
        SecretsManagerEmulator emulator;
        try {
            emulator = SecretsManagerEmulator.start(options.port());
        } catch (UncheckedIOException e) {
            System.err.println(e.getMessage() + ": " + e.getCause().getMessage());
            System.exit(ExitCode.CONFIG);
            return;
        }
        options.planted().forEach(emulator::createSecret);
        OpenAiStub stub = options.withStub() ? OpenAiStub.start() : null;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            emulator.close();
            if (stub != null) {
                stub.close();
            }
        }));
        System.out.println("Secrets Manager emulator listening: AWS_ENDPOINT_URL_SECRETS_MANAGER=" + emulator.endpoint());
        StringBuilder exports = new StringBuilder("export");
        emulator.clientEnv().forEach((name, value) -> exports.append(' ').append(name).append('=').append(value));
        if (stub != null) {
            String key = Canary.fresh().value();
            stub.acceptKeys(key);
            emulator.createSecret(SecretsManagerEmulator.DEMO_SECRET_ID, key);
            exports.append(" OPENAI_SECRET_ID=").append(SecretsManagerEmulator.DEMO_SECRET_ID).append(" OPENAI_BASE_URL=").append(stub.baseUrl());
        }
        System.out.println(exports);
        if (stub != null && options.rotateEvery() > 0) {
            KeyRotation rotation = KeyRotation.of(emulator, SecretsManagerEmulator.DEMO_SECRET_ID, stub);
            while (true) {
                Thread.sleep(Duration.ofSeconds(options.rotateEvery()).toMillis());
                rotation.rotate(Duration.ofMillis(options.rotateEvery() * 500L));
                System.out.println("rotated: " + rotation);
            }
        }
        new CountDownLatch(1).await();
    }

    /** The command line, read; bad input is an {@link IllegalArgumentException} whose message says what is wrong. */
    record Options(int port, Map<String, String> planted, boolean withStub, int rotateEvery, boolean help) {

        static Options parse(String... args) {
            int port = 0;
            Map<String, String> planted = new LinkedHashMap<>();
            boolean withStub = false;
            int rotateEvery = 0;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--port" -> port = number(args, ++i, "--port", 0, 65535);
                    case "--secret" -> {
                        String pair = value(args, ++i, "--secret");
                        int eq = pair.indexOf('=');
                        if (eq < 1) {
                            throw new IllegalArgumentException("--secret needs NAME=VALUE");
                        }
                        planted.put(pair.substring(0, eq), pair.substring(eq + 1));
                    }
                    case "--openai-stub" -> withStub = true;
                    case "--rotate-every" -> rotateEvery = number(args, ++i, "--rotate-every", 0, 86_400);
                    case "--help", "-h" -> {
                        return new Options(port, planted, withStub, rotateEvery, true);
                    }
                    default -> throw new IllegalArgumentException("unknown option: " + args[i]);
                }
            }
            return new Options(port, planted, withStub, rotateEvery, false);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        private static int number(String[] args, int i, String option, int min, int max) {
            String text = value(args, i, option);
            try {
                int n = Integer.parseInt(text);
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // said below, with the range
            }
            throw new IllegalArgumentException(option + " needs a whole number from " + min + " to " + max + ", not " + text);
        }
    }
}

package dev.keysafe.testkit.secrets;

import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** The Secrets Manager emulator as a program of its own, for trying module 05 by hand. */
public final class SecretsManagerEmulatorMain {

    private SecretsManagerEmulatorMain() {
    }

    /**
     * Runs the emulator on its own until interrupted:
     * {@code SecretsManagerEmulatorMain [--port N] [--secret NAME=VALUE]... [--openai-stub [--rotate-every SECONDS]]}.
     * With {@code --openai-stub} it also starts the OpenAI stub, plants a throwaway key in
     * {@value SecretsManagerEmulator#DEMO_SECRET_ID}, prints the settings module 05 needs, and can rotate that key on a
     * schedule (revoking the old one after half the interval), so rotation can be watched.
     */
    public static void main(String[] args) throws InterruptedException {
        int port = 0;
        Map<String, String> planted = new LinkedHashMap<>();
        boolean withStub = false;
        int rotateEvery = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--secret" -> {
                    String pair = args[++i];
                    int eq = pair.indexOf('=');
                    if (eq < 1) {
                        System.err.println("--secret needs NAME=VALUE");
                        System.exit(2);
                    }
                    planted.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
                case "--openai-stub" -> withStub = true;
                case "--rotate-every" -> rotateEvery = Integer.parseInt(args[++i]);
                case "--help", "-h" -> {
                    System.out.println("usage: SecretsManagerEmulatorMain [--port N] [--secret NAME=VALUE]... "
                            + "[--openai-stub [--rotate-every SECONDS]]");
                    return;
                }
                default -> {
                    System.err.println("unknown option: " + args[i] + " (try --help)");
                    System.exit(2);
                }
            }
        }
        SecretsManagerEmulator emulator = SecretsManagerEmulator.start(port);
        planted.forEach(emulator::createSecret);
        OpenAiStub stub = withStub ? OpenAiStub.start() : null;
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
        if (stub != null && rotateEvery > 0) {
            KeyRotation rotation = KeyRotation.of(emulator, SecretsManagerEmulator.DEMO_SECRET_ID, stub);
            while (true) {
                Thread.sleep(Duration.ofSeconds(rotateEvery).toMillis());
                rotation.rotate(Duration.ofMillis(rotateEvery * 500L));
                System.out.println("rotated: " + rotation);
            }
        }
        new CountDownLatch(1).await();
    }
}

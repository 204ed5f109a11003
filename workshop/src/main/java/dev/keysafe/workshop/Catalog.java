package dev.keysafe.workshop;

import dev.keysafe.testkit.run.ModuleLaunch;
import dev.keysafe.testkit.secrets.KeyRotation;
import dev.keysafe.testkit.secrets.SecretsManagerEmulator;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The kit's modules, in order, and where their build output is. A module appears here as one
 * {@link Module} entry; the launcher finds its folder below the repository root, and runs it only
 * once its build has written {@code target/classpath.txt} and its jar.
 */
public final class Catalog {

    /** 05's rotation demo, its own program: it asks in a loop while the kit rotates the secret. */
    private static final String ROTATE_DEMO = "rotate-demo";
    private static final String ROTATE_DEMO_MAIN = "dev.keysafe.secretsmanager.demo.RotateDemo";

    /** Every module the launcher knows. To add one: one entry, in order. */
    public static final List<Module> MODULES = List.of(
            Module.negativeControl("01", "01-hardcoded-bad", "dev.keysafe.hardcoded.Ask",
                    "what not to do: a key written in the code escapes into the jar, git history, logs and errors",
                    KeySource.constant("dev.keysafe.hardcoded.HardcodedKey", "API_KEY"),
                    // Its key is in its code; the kit only points it at the stub (OPENAI_BASE_URL).
                    run -> run.launch()),
            Module.practice("02", "02-env-vars", "dev.keysafe.envvars.Ask",
                    "the key from the OPENAI_API_KEY environment variable, read once, never printed",
                    run -> run.launch().env("OPENAI_API_KEY", run.key().value())),
            Module.practice("03", "03-dotenv", "dev.keysafe.dotenv.Ask",
                    "a git-ignored .env file for local development; the real environment wins over it",
                    run -> run.launch().file(".env", "OPENAI_API_KEY=" + run.key().value() + "\n")),
            Module.practice("04", "04-per-environment", "dev.keysafe.perenv.Ask",
                    "one key per environment (development, staging, production), chosen by ENVIRONMENT, never a fallback",
                    run -> perEnvironment(run, run.options().environmentOr("development"), true))
                    .touredWith(new RunOptions("staging"))
                    .withDemo("production chosen, OPENAI_API_KEY_PROD missing: it must refuse to start", 2,
                            run -> perEnvironment(run, "production", false)),
            Module.practice("05", "05-secrets-manager", "dev.keysafe.secretsmanager.Ask",
                    "the key in AWS Secrets Manager, fetched with the AWS SDK, cached, and rotated with no failed call",
                    run -> secretsManager(run, run.launch(), false))
                    .withCommand(ROTATE_DEMO, ROTATE_DEMO_MAIN, "asks from 4 threads for SECONDS (default 10) while"
                                    + " the secret is rotated; with --offline the kit rotates it",
                            run -> secretsManager(run, run.launch(ROTATE_DEMO_MAIN), true))
                    .withDemo("rotate-demo: 4 threads ask for 6 s while the kit rotates the key and revokes the old one",
                            0, Pattern.compile(" 0 failed; keys used: \\.\\.\\.\\S{4} -> \\.\\.\\.\\S{4};"),
                            run -> secretsManager(run, run.launch(ROTATE_DEMO_MAIN), true).args("6")),
            Module.server("06", "06-server-proxy", "dev.keysafe.proxy.app.ProxyApp",
                    "the browser never sees the key: your server holds it and hands out client tokens with"
                            + " their own models, budgets and rate limits",
                    // The server's key in its environment, as on a real host; the tour picks any free port.
                    ProxyDriver::offline, new ProxyDriver())
                    .touredWith(new RunOptions(null, 0))
                    .withCommand("token", "dev.keysafe.proxy.admin.TokenCommand",
                            "create, list or revoke client tokens of a running proxy (PROXY_URL, PROXY_ADMIN_TOKEN)"));

    private final Path root;
    private final List<Module> modules;

    public Catalog(Path root, List<Module> modules) {
        this.root = root.toAbsolutePath().normalize();
        this.modules = List.copyOf(modules);
    }

    /** The kit's modules below {@code root}. */
    public static Catalog of(Path root) {
        return new Catalog(root, MODULES);
    }

    /**
     * The repository root: the {@code keysafe.home} system property ({@code ./kit} sets it), else
     * the nearest folder above the working directory that holds the kit's {@code pom.xml}.
     */
    public static Path locateRoot() {
        String home = System.getProperty("keysafe.home");
        if (home != null && !home.isBlank()) {
            Path root = Path.of(home).toAbsolutePath().normalize();
            if (!isRoot(root)) {
                throw new KitException("keysafe.home=" + root + " is not the keysafe checkout (no workshop/pom.xml there).");
            }
            return root;
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (isRoot(dir)) {
                return dir;
            }
        }
        throw new KitException("Cannot find the keysafe checkout: run ./kit from it, or pass -Dkeysafe.home=PATH.");
    }

    private static boolean isRoot(Path dir) {
        return Files.isRegularFile(dir.resolve("pom.xml")) && Files.isRegularFile(dir.resolve("workshop/pom.xml"));
    }

    public Path root() {
        return root;
    }

    public List<Module> modules() {
        return modules;
    }

    /** The ids, as a user types them: {@code 01, 02, 03}. */
    public String ids() {
        return modules.stream().map(Module::id).collect(Collectors.joining(", "));
    }

    /** The module a user means by {@code id}: its number ({@code 02} or {@code 2}) or its folder name. */
    public Optional<Module> find(String id) {
        String wanted = id.strip().matches("\\d") ? "0" + id.strip() : id.strip();
        return modules.stream().filter(m -> m.id().equals(wanted) || m.folder().equals(wanted)).findFirst();
    }

    /** The module {@code id}, or a one-line error listing the valid ids. */
    public Module require(String id) {
        return find(id).orElseThrow(() -> new KitException(
                "unknown module '" + id + "'. Valid ids: " + ids() + " (./kit run --help lists them)."));
    }

    /** The module's folder. */
    public Path dir(Module module) {
        return root.resolve(module.folder());
    }

    /** Whether a module is in this checkout and built; {@link Status#reason()} says what is missing. */
    public Status status(Module module) {
        Path dir = dir(module);
        if (!Files.isDirectory(dir)) {
            return new Status(State.ABSENT, module.folder() + "/ is not in this checkout yet");
        }
        if (!Files.isRegularFile(dir.resolve("target/classpath.txt"))) {
            return new Status(State.NOT_BUILT, module.folder() + "/target/classpath.txt is missing");
        }
        if (ownOutput(module).isEmpty()) {
            return new Status(State.NOT_BUILT, module.folder() + "/target has no jar and no classes");
        }
        return new Status(State.BUILT, "built");
    }

    /** The module, ready to run; a one-line error (exit 2) when it is absent or not built. */
    public ModuleBuild build(Module module) {
        Status status = status(module);
        if (status.state() != State.BUILT) {
            throw new KitException("module " + module.id() + " (" + module.folder() + ") cannot run: "
                    + status.reason() + ". Build it with ./mvnw -q -DskipTests package (./kit does this"
                    + " when sources changed). Runnable now: " + runnableIds() + ".");
        }
        Path dir = dir(module);
        String dependencies;
        try {
            dependencies = Files.readString(dir.resolve("target/classpath.txt")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Its own classes first, as `java -cp` would have them, then its runtime dependencies.
        String own = ownOutput(module).orElseThrow().toString();
        String classpath = dependencies.isEmpty() ? own : own + File.pathSeparator + dependencies;
        return new ModuleBuild(module, dir, classpath);
    }

    /** A launch of the module as a user would start it: main class and classpath. */
    public ModuleLaunch launch(ModuleBuild build) {
        return ModuleLaunch.of(build.module().mainClass()).classpath(build.classpath());
    }

    private String runnableIds() {
        String ids = modules.stream().filter(m -> status(m).state() == State.BUILT).map(Module::id)
                .collect(Collectors.joining(", "));
        return ids.isEmpty() ? "none" : ids;
    }

    /** {@code target/keysafe-<folder>-<version>.jar}, or {@code target/classes} before packaging. */
    private Optional<Path> ownOutput(Module module) {
        Path target = dir(module).resolve("target");
        if (Files.isDirectory(target)) {
            try (Stream<Path> files = Files.list(target)) {
                Optional<Path> jar = files.filter(p -> {
                    String name = p.getFileName().toString();
                    return name.startsWith("keysafe-" + module.folder() + "-") && name.endsWith(".jar")
                            && !name.matches(".*-(sources|javadoc|tests)\\.jar");
                }).sorted().findFirst();
                if (jar.isPresent()) {
                    return jar;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Path classes = target.resolve("classes");
        return Files.isDirectory(classes) ? Optional.of(classes) : Optional.empty();
    }

    /** 04's way: ENVIRONMENT picks one of three variables, each holding its own throwaway key. */
    private static ModuleLaunch perEnvironment(Offline.Context run, String chosen, boolean withProdKey) {
        ModuleLaunch launch = run.launch().env("ENVIRONMENT", chosen);
        Map.of("development", "OPENAI_API_KEY_DEV", "staging", "OPENAI_API_KEY_STAGING",
                "production", "OPENAI_API_KEY_PROD").forEach((environment, variable) -> {
                    if (withProdKey || !environment.equals("production")) {
                        // Only the chosen environment's key is accepted by the stub: sending another is caught (C21).
                        launch.env(variable, environment.equals(chosen) ? run.key().value() : run.extraKey(variable).value());
                    }
                });
        return launch;
    }

    /**
     * 05's way, for {@code launch} (its lesson or its rotate demo): the key in a secret of a local
     * Secrets Manager emulator, and the standard AWS settings pointing the module's SDK there
     * (region, endpoint, static placeholder credentials, no instance-metadata lookups). With
     * {@code rotating}, the key is rotated through the stages once the module is asking, and the
     * old one revoked half a second later.
     */
    private static ModuleLaunch secretsManager(Offline.Context run, ModuleLaunch launch, boolean rotating) {
        SecretsManagerEmulator secrets = run.closeAfterRun(SecretsManagerEmulator.start());
        String secretId = SecretsManagerEmulator.DEMO_SECRET_ID;
        secrets.createSecret(secretId, run.key().value());
        secrets.clientEnv().forEach(launch::env);
        launch.env("OPENAI_SECRET_ID", secretId);
        String where = "the secret " + secretId + " of a Secrets Manager emulator at " + secrets.endpoint();
        if (rotating) {
            // Closed before the emulator (newest first): waits for the rotation, or cancels it if no call came.
            run.closeAfterRun(KeyRotation.of(secrets, secretId, run.stub()).rotateInBackground(2, Duration.ofMillis(500)));
            where += " (rotated once it is asking: a new key promoted to AWSCURRENT, the old one revoked 0.5 s later)";
        }
        run.keyIs(where);
        return launch;
    }

    /** Where a module stands: absent, not built, or built. */
    public enum State { ABSENT, NOT_BUILT, BUILT }

    /** A module's {@link State} and, when it cannot run, what is missing. */
    public record Status(State state, String reason) {
    }
}

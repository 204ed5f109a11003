package dev.keysafe.workshop;

import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.run.ModuleLaunch;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a module is started with no account and no network: given the throwaway key the stub
 * accepts, it returns the launch that hands the module that key the module's own way (an
 * environment variable, a {@code .env} file, one variable per environment...). The launcher adds
 * {@code OPENAI_BASE_URL} pointing at the stub when the launch does not set it.
 */
@FunctionalInterface
public interface Offline {

    /** The launch of the module for one offline run described by {@code run}. */
    ModuleLaunch launch(Context run);

    /**
     * Everything an offline run has to work with. Closing it closes what the setup asked to be
     * closed after the run (an emulator it started, say), newest first.
     */
    final class Context implements AutoCloseable {

        private final ModuleBuild build;
        private final Canary key;
        private final OpenAiStub stub;
        private final Path workDir;
        private final RunOptions options;
        private final Map<String, Canary> extraKeys = new LinkedHashMap<>();
        private final Deque<AutoCloseable> resources = new ArrayDeque<>();
        private String keyIs;

        public Context(ModuleBuild build, Canary key, OpenAiStub stub, Path workDir, RunOptions options) {
            this.build = build;
            this.key = key;
            this.stub = stub;
            this.workDir = workDir;
            this.options = options;
        }

        /** The key the stub accepts for this run. */
        public Canary key() {
            return key;
        }

        /**
         * Another throwaway key, the same one for the same {@code name} within a run, which the stub
         * does NOT accept (04's other environments). The tour searches for these too.
         */
        public Canary extraKey(String name) {
            return extraKeys.computeIfAbsent(name, n -> Canary.fresh());
        }

        /** The extra keys handed out so far. */
        public List<Canary> extraKeys() {
            return List.copyOf(extraKeys.values());
        }

        /** The running OpenAI stub (its URL is {@code stub().baseUrl()}). */
        public OpenAiStub stub() {
            return stub;
        }

        /** A temporary working directory for the run, deleted afterwards. */
        public Path workDir() {
            return workDir;
        }

        public RunOptions options() {
            return options;
        }

        /**
         * Says where the setup put the key, for the note {@code run --offline} prints, when it is
         * neither a variable nor a planted file (05: a secret in the emulator). Never the key.
         */
        public void keyIs(String where) {
            this.keyIs = where;
        }

        /** Where the setup said the key is, or null. */
        public String keyIs() {
            return keyIs;
        }

        /** A new launch of this module's main class with its classpath, nothing else set. */
        public ModuleLaunch launch() {
            return launch(build.module().mainClass());
        }

        /** A new launch of another program of this module (05's rotate demo), with its classpath. */
        public ModuleLaunch launch(String mainClass) {
            return ModuleLaunch.of(mainClass).classpath(build.classpath());
        }

        /** Closes {@code resource} when the run is over. */
        public <T extends AutoCloseable> T closeAfterRun(T resource) {
            resources.push(resource);
            return resource;
        }

        @Override
        public void close() {
            while (!resources.isEmpty()) {
                try {
                    resources.pop().close();
                } catch (Exception e) {
                    // A resource that fails to close must not hide the run's own result.
                    System.err.println("kit: could not close " + e.getClass().getSimpleName() + " after the run");
                }
            }
        }
    }
}

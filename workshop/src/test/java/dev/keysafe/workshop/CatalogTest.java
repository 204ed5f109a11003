package dev.keysafe.workshop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keysafe.common.ExitCode;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.KeyPatterns;
import dev.keysafe.testkit.run.ModuleLaunch;
import dev.keysafe.testkit.stub.OpenAiStub;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalog: which modules exist, where their builds are, and how each is given a key offline. */
class CatalogTest {

    private final Catalog catalog = Fixtures.catalog();

    @Test
    void catalog_lists_the_modules_in_order_with_folders_and_main_classes() {
        assertThat(catalog.modules()).extracting(Module::id).containsExactly("01", "02", "03", "04", "05", "06");
        assertThat(catalog.require("01").mainClass()).isEqualTo("dev.keysafe.hardcoded.Ask");
        assertThat(catalog.require("02").folder()).isEqualTo("02-env-vars");
        assertThat(catalog.require("02").mainClass()).isEqualTo("dev.keysafe.envvars.Ask");
        assertThat(catalog.require("01").kind()).isEqualTo(Module.Kind.NEGATIVE_CONTROL);
        assertThat(catalog.modules()).filteredOn(m -> !m.id().equals("01"))
                .allSatisfy(m -> assertThat(m.kind()).isEqualTo(Module.Kind.PRACTICE))
                .allSatisfy(m -> assertThat(m.lesson()).isNotBlank());
    }

    @Test
    void the_catalog_finds_the_checkout_and_every_module_folder_in_it() {
        assertThat(catalog.root().resolve("workshop/pom.xml")).exists();
        assertThat(catalog.dir(catalog.require("02"))).isDirectory();
        assertThat(catalog.status(catalog.require("01")).state()).isNotEqualTo(Catalog.State.ABSENT);
    }

    @Test
    void a_module_is_found_by_number_by_short_number_or_by_folder() {
        assertThat(catalog.find("02")).contains(catalog.require("02"));
        assertThat(catalog.find("2")).contains(catalog.require("02"));
        assertThat(catalog.find("02-env-vars")).contains(catalog.require("02"));
        assertThat(catalog.find("99")).isEmpty();
    }

    @Test
    void an_unknown_id_fails_with_one_line_listing_the_valid_ids() {
        assertThatThrownBy(() -> catalog.require("99"))
                .isInstanceOfSatisfying(KitException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.KIT_USAGE))
                .hasMessageContaining("unknown module '99'")
                .hasMessageContaining("01, 02, 03, 04")
                .hasMessageNotContaining("\n");
    }

    @Test
    void a_built_module_runs_from_its_own_jar_then_the_dependencies_its_build_wrote() {
        Fixtures.assumeBuilt(catalog, "02");

        ModuleBuild build = catalog.build(catalog.require("02"));

        List<String> entries = List.of(build.classpath().split(File.pathSeparator));
        assertThat(entries.get(0)).endsWith("keysafe-02-env-vars-0.1.0-SNAPSHOT.jar");
        assertThat(entries).anySatisfy(e -> assertThat(e).contains("openai-java"));
        assertThat(entries).allSatisfy(e -> assertThat(Path.of(e)).exists());
    }

    @Test
    void a_missing_folder_is_absent_and_a_folder_without_build_output_is_not_built(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("02-env-vars/src"));
        Catalog elsewhere = Catalog.of(root);

        assertThat(elsewhere.status(elsewhere.require("01")).state()).isEqualTo(Catalog.State.ABSENT);
        assertThat(elsewhere.status(elsewhere.require("02")).state()).isEqualTo(Catalog.State.NOT_BUILT);
        assertThatThrownBy(() -> elsewhere.build(elsewhere.require("02")))
                .isInstanceOf(KitException.class)
                .hasMessageContaining("02-env-vars/target/classpath.txt is missing")
                .hasMessageContaining("./mvnw -q -DskipTests package");
    }

    @Test
    void module_01s_key_is_read_from_its_build_output_and_has_the_kits_demo_shape() {
        Fixtures.assumeBuilt(catalog, "01");
        Module hardcoded = catalog.require("01");

        Canary key = hardcoded.keySource().key(catalog.build(hardcoded));

        assertThat(KeyPatterns.all().formsIn(key.value())).containsExactly("keysafe demo key");
        assertThat(key.value()).startsWith(KeyPatterns.DEMO_PREFIX);
    }

    @Test
    void practice_modules_get_a_fresh_throwaway_key_every_run() {
        Module envVars = catalog.require("02");
        ModuleBuild build = new ModuleBuild(envVars, catalog.dir(envVars), "classes");

        assertThat(envVars.keySource().key(build).value()).isNotEqualTo(envVars.keySource().key(build).value());
    }

    @Test
    void module_02_offline_gets_its_key_in_its_environment() {
        Canary key = Canary.fresh();
        ModuleLaunch launch = offlineLaunch("02", key, RunOptions.NONE);

        assertThat(launch.env()).containsEntry("OPENAI_API_KEY", key.value()).hasSize(1);
        assertThat(launch.files()).isEmpty();
        assertThat(launch.args()).isEmpty();
    }

    @Test
    void module_03_offline_gets_its_key_in_a_dotenv_file_and_not_in_its_environment() {
        Canary key = Canary.fresh();
        ModuleLaunch launch = offlineLaunch("03", key, RunOptions.NONE);

        assertThat(launch.files()).containsOnlyKeys(".env");
        assertThat(launch.files().get(".env")).contains("OPENAI_API_KEY=" + key.value());
        assertThat(launch.env()).isEmpty();
    }

    @Test
    void module_04_offline_gives_each_environment_its_own_key_and_the_chosen_one_the_accepted_key() {
        Canary key = Canary.fresh();
        ModuleLaunch launch = offlineLaunch("04", key, new RunOptions("staging"));

        assertThat(launch.env()).containsEntry("ENVIRONMENT", "staging")
                .containsEntry("OPENAI_API_KEY_STAGING", key.value())
                .containsKeys("OPENAI_API_KEY_DEV", "OPENAI_API_KEY_PROD")
                .doesNotContainKey("OPENAI_API_KEY");
        assertThat(Set.of(launch.env().get("OPENAI_API_KEY_DEV"), launch.env().get("OPENAI_API_KEY_STAGING"),
                launch.env().get("OPENAI_API_KEY_PROD"))).hasSize(3);
    }

    @Test
    void module_04_defaults_to_development_and_its_demo_leaves_the_production_key_out() {
        Module perEnvironment = catalog.require("04");
        Canary key = Canary.fresh();
        ModuleLaunch plain = offlineLaunch("04", key, RunOptions.NONE);

        assertThat(plain.env()).containsEntry("ENVIRONMENT", "development")
                .containsEntry("OPENAI_API_KEY_DEV", key.value());
        assertThat(perEnvironment.tourOptions().environment()).isEqualTo("staging");
        assertThat(perEnvironment.demos()).singleElement().satisfies(demo -> {
            ModuleLaunch refused = demo.launch().launch(context(perEnvironment, key, perEnvironment.tourOptions()));
            assertThat(refused.env()).containsEntry("ENVIRONMENT", "production").doesNotContainKey("OPENAI_API_KEY_PROD");
            assertThat(demo.exitCode()).isEqualTo(ExitCode.CONFIG);
        });
    }

    @Test
    void module_05_offline_keeps_its_key_in_a_secret_of_the_emulator_and_points_the_aws_sdk_there() throws Exception {
        Module secretsManager = catalog.require("05");
        Canary key = Canary.fresh();
        Offline.Context context = context(secretsManager, key, RunOptions.NONE);
        String endpoint;
        try (context) {
            ModuleLaunch launch = secretsManager.offline().launch(context);

            assertThat(launch.mainClass()).isEqualTo("dev.keysafe.secretsmanager.Ask");
            assertThat(launch.env()).containsEntry("AWS_REGION", "us-east-1")
                    .containsEntry("AWS_EC2_METADATA_DISABLED", "true")
                    .containsEntry("OPENAI_SECRET_ID", "keysafe/openai-api-key")
                    .containsKeys("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
                    .doesNotContainKey("OPENAI_API_KEY");
            // The key is in the secret only: in no variable and no file of the module.
            assertThat(launch.env().values()).allSatisfy(value -> assertThat(key.formsIn(value)).isEmpty());
            assertThat(launch.files()).isEmpty();
            endpoint = launch.env().get("AWS_ENDPOINT_URL_SECRETS_MANAGER");
            assertThat(endpoint).startsWith("http://127.0.0.1:");
            assertThat(context.keyIs()).contains("the secret keysafe/openai-api-key", endpoint)
                    .doesNotContain("rotated");
            assertThat(status(endpoint)).as("the emulator answers while the run lasts").isPositive();
        }
        // The emulator ends with the run.
        assertThatThrownBy(() -> status(endpoint)).isInstanceOf(java.io.IOException.class);
    }

    @Test
    void module_05_is_toured_with_its_rotation_demo_which_must_lose_no_call_and_change_keys() {
        Module.Demo demo = catalog.require("05").demos().get(0);

        assertThat(demo.exitCode()).isZero();
        assertThat(demo.shows().matcher(
                "rotate-demo: 150 asks, 0 failed; keys used: ...JXyb -> ...FCyR; Secrets Manager calls: 4").find()).isTrue();
        assertThat(demo.shows().matcher("rotate-demo: 150 asks, 0 failed; keys used: ...JXyb; Secrets Manager calls: 2")
                .find()).as("no rotation seen").isFalse();
        assertThat(demo.shows().matcher(
                "rotate-demo: 150 asks, 3 failed; keys used: ...JXyb -> ...FCyR; Secrets Manager calls: 4").find()).isFalse();
    }

    @Test
    void module_05s_rotate_demo_is_its_own_program_given_the_key_in_a_secret_that_the_kit_rotates() throws Exception {
        Module secretsManager = catalog.require("05");
        Module.Command rotateDemo = secretsManager.command("rotate-demo").orElseThrow();
        Canary key = Canary.fresh();

        assertThat(rotateDemo.mainClass()).isEqualTo("dev.keysafe.secretsmanager.demo.RotateDemo");
        assertThat(rotateDemo.runsOffline()).isTrue();
        // The rotation waits for the stub's journal: these contexts get a real stub.
        try (OpenAiStub stub = OpenAiStub.start()) {
            try (Offline.Context context = context(secretsManager, key, stub)) {
                ModuleLaunch launch = rotateDemo.offline().launch(context);

                assertThat(launch.mainClass()).isEqualTo(rotateDemo.mainClass());
                assertThat(launch.classpath()).isEqualTo("the-classpath");
                assertThat(launch.env()).containsEntry("OPENAI_SECRET_ID", "keysafe/openai-api-key")
                        .containsKey("AWS_ENDPOINT_URL_SECRETS_MANAGER").doesNotContainKey("OPENAI_API_KEY");
                // The kit adds the arguments after the word: the setup adds none.
                assertThat(launch.args()).isEmpty();
                assertThat(context.keyIs()).contains("the secret keysafe/openai-api-key", "rotated once it is asking");
            }
            try (Offline.Context context = context(secretsManager, key, stub)) {
                ModuleLaunch tourDemo = secretsManager.demos().get(0).launch().launch(context);

                assertThat(tourDemo.mainClass()).isEqualTo(rotateDemo.mainClass());
                assertThat(tourDemo.args()).containsExactly("6");
            }
        }
    }

    private static int status(String endpoint) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(endpoint + "/")).POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void module_06_is_a_server_given_its_key_and_a_fresh_admin_token_in_its_environment_on_127_0_0_1() {
        Module proxy = catalog.require("06");
        Canary key = Canary.fresh();

        ModuleLaunch launch = offlineLaunch("06", key, RunOptions.NONE);

        assertThat(proxy.folder()).isEqualTo("06-server-proxy");
        assertThat(proxy.isServer()).isTrue();
        assertThat(proxy.kind()).isEqualTo(Module.Kind.PRACTICE);
        assertThat(launch.env()).containsEntry("OPENAI_API_KEY", key.value()).containsEntry("HOST", "127.0.0.1")
                .containsEntry("PORT", "7070").containsKey("PROXY_ADMIN_TOKEN").hasSize(4);
        assertThat(launch.env().get("PROXY_ADMIN_TOKEN")).hasSizeGreaterThanOrEqualTo(24)
                .isNotEqualTo(offlineLaunch("06", key, RunOptions.NONE).env().get("PROXY_ADMIN_TOKEN"));
        assertThat(KeyPatterns.all().formsIn(launch.env().get("PROXY_ADMIN_TOKEN"))).isEmpty();
        assertThat(launch.files()).isEmpty();
        // --port 0 for tests and the tour: the URL is read from the start-up line.
        assertThat(offlineLaunch("06", key, new RunOptions(null, 0)).env()).containsEntry("PORT", "0");
        assertThat(proxy.tourOptions().port()).isZero();
    }

    @Test
    void module_06_runs_its_server_by_default_and_its_token_command_by_the_word_token() {
        Module proxy = catalog.require("06");

        assertThat(proxy.mainClass()).isEqualTo("dev.keysafe.proxy.app.ProxyApp");
        assertThat(proxy.command("token")).hasValueSatisfying(
                token -> assertThat(token.mainClass()).isEqualTo("dev.keysafe.proxy.admin.TokenCommand"));
        assertThat(proxy.command("token").orElseThrow().runsOffline()).as("token talks to a running proxy").isFalse();
        assertThat(proxy.command("server")).isEmpty();
        assertThat(catalog.require("02").commands()).isEmpty();
        var ready = proxy.server().readyLine().matcher(
                "keysafe proxy listening on http://127.0.0.1:41197/ (upstream http://127.0.0.1:36765/v1, key ...HD8z)");
        assertThat(ready.find()).isTrue();
        assertThat(ready.group(1)).isEqualTo("http://127.0.0.1:41197");
        assertThat(proxy.server().readyLine().matcher("keysafe proxy starting").find()).isFalse();
    }

    @Test
    void module_06_runs_from_its_own_jar_then_the_dependencies_its_build_wrote() {
        Fixtures.assumeBuilt(catalog, "06");

        List<String> entries = List.of(catalog.build(catalog.require("06")).classpath().split(File.pathSeparator));

        assertThat(entries.get(0)).endsWith("06-server-proxy/target/keysafe-06-server-proxy-0.1.0-SNAPSHOT.jar");
        assertThat(entries).anySatisfy(e -> assertThat(e).contains("javalin"));
    }

    private ModuleLaunch offlineLaunch(String id, Canary key, RunOptions options) {
        Module module = catalog.require(id);
        ModuleLaunch launch = module.offline().launch(context(module, key, options));
        assertThat(launch.mainClass()).isEqualTo(module.mainClass());
        assertThat(launch.classpath()).isEqualTo("the-classpath");
        return launch;
    }

    private Offline.Context context(Module module, Canary key, OpenAiStub stub) {
        return new Offline.Context(new ModuleBuild(module, catalog.dir(module), "the-classpath"), key, stub,
                Path.of("unused"), RunOptions.NONE);
    }

    private Offline.Context context(Module module, Canary key, RunOptions options) {
        // No stub and no process: these tests look only at the launch an entry builds.
        return new Offline.Context(new ModuleBuild(module, catalog.dir(module), "the-classpath"), key, null,
                Path.of("unused"), options);
    }
}

package dev.keysafe.dotenv;

import dev.keysafe.testkit.AppLaunch;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.Keysafe;
import dev.keysafe.testkit.contract.CliLeakContract;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Module 03 under the shared leak contract: the key is given in a .env file in the working directory. */
class DotenvLeakIT extends CliLeakContract {

    @Override
    protected AppLaunch launch(Keysafe keysafe) {
        return keysafe.app(Ask.class.getName()).file(".env", "OPENAI_API_KEY=" + keysafe.key().value() + "\n");
    }

    @Override
    protected List<Object> keyHolders(Canary key) {
        Map<String, String> settings = Map.of("OPENAI_API_KEY", key.value());
        return List.of(DotenvKey.from(settings, Path.of(".")));
    }
}

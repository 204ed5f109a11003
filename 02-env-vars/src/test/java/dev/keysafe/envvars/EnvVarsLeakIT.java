package dev.keysafe.envvars;

import dev.keysafe.testkit.AppLaunch;
import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.Keysafe;
import dev.keysafe.testkit.contract.CliLeakContract;
import java.util.List;
import java.util.Map;

/** Module 02 under the shared leak contract: the key is given in the environment. */
class EnvVarsLeakIT extends CliLeakContract {

    @Override
    protected AppLaunch launch(Keysafe keysafe) {
        return keysafe.app(Ask.class.getName()).withOpenAiKeyIn("OPENAI_API_KEY");
    }

    @Override
    protected List<Object> keyHolders(Canary key) {
        return List.of(EnvVarKey.from(Map.of("OPENAI_API_KEY", key.value())));
    }
}

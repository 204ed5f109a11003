package dev.keysafe.envvars;

import dev.keysafe.testkit.Canary;
import dev.keysafe.testkit.contract.CliLeakContract;
import dev.keysafe.testkit.run.ModuleLaunch;
import java.util.List;
import java.util.Map;

/** Module 02 under the shared leak contract: the key is given in the environment. */
class EnvVarsLeakIT extends CliLeakContract {

    @Override
    protected ModuleLaunch launch(Canary key) {
        return ModuleLaunch.of(Ask.class.getName()).env("OPENAI_API_KEY", key.value());
    }

    @Override
    protected List<Object> keyHolders(Canary key) {
        return List.of(EnvVarKey.from(Map.of("OPENAI_API_KEY", key.value())));
    }
}

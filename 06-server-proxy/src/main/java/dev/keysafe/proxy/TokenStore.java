package dev.keysafe.proxy;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where client tokens are kept: by the hash of their secret, never the secret. A store that
 * cannot answer throws {@link StoreUnavailable}.
 */
public interface TokenStore {

    void addToken(ClientToken token);

    Optional<ClientToken> tokenByHash(String hash);

    /** In this process's memory: one instance, gone on restart. */
    static TokenStore inMemory() {
        Map<String, ClientToken> byHash = new ConcurrentHashMap<>();
        return new TokenStore() {
            @Override
            public void addToken(ClientToken token) {
                byHash.put(token.hash(), token);
            }

            @Override
            public Optional<ClientToken> tokenByHash(String hash) {
                return Optional.ofNullable(byHash.get(hash));
            }
        };
    }
}

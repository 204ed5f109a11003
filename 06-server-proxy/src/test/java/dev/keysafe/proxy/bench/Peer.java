package dev.keysafe.proxy.bench;

import java.util.Map;

/**
 * One way to reach the benchmark's fast upstream, as a client calls it: directly with the key, or
 * through a peer (nginx, Portkey, keysafe) with the bearer that peer wants and any headers of its own.
 */
record Peer(String name, String url, String bearer, Map<String, String> headers) {

    /** Names the peer and where it listens, never its bearer. */
    @Override
    public String toString() {
        return "Peer[" + name + " " + url + "]";
    }
}

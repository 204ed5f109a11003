package dev.keysafe.proxy;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a deployment checks around each forward beyond the token and its models: a rate limit
 * before the body is read, a budget reserved once it is, the cost settled from what the answer
 * used. A method refuses by throwing a {@link ProxyError}; {@link #NONE} lets everything through.
 */
public interface Guard {

    Guard NONE = new Guard() { };

    /** Before the body is read: may {@code token} send a request now? */
    default void admit(ClientToken token) {
    }

    /** After the lesson's checks: reserves what the request may cost; may adjust {@code body} first. */
    default Reservation reserve(Upstream.Route route, ClientToken token, ObjectNode body) {
        return new Reservation() { };
    }

    /** One request's reservation: shown what the answer carried, settled once when it ends. */
    interface Reservation {
        /** What was just relayed to the client: a whole JSON answer, or the next piece of a stream. */
        default void relayed(byte[] bytes, int length) {
        }

        /** The request is over: {@code status} is the upstream's, or the refusal's when the call failed. */
        default void settle(int status) {
        }
    }
}

package dev.keysafe.workshop.room;

/**
 * A refusal as the room's HTTP API answers it: a 4xx status, a short code for scripts, and a
 * message for people that says what to do. Written here, never taken from an exception or input.
 */
final class RoomError extends RuntimeException {

    final int status;
    final String code;
    final long retryAfterSeconds;

    RoomError(int status, String code, String message) {
        this(status, code, message, 0);
    }

    RoomError(int status, String code, String message, long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    static RoomError badRequest(String message) {
        return new RoomError(400, "bad_request", message);
    }

    static RoomError tooMany(long retryAfterSeconds) {
        return new RoomError(429, "rate_limited", "Too many requests: slow down and retry after the delay given.",
                retryAfterSeconds);
    }

    /** The status and code for each way the room refuses. */
    static RoomError of(Room.Refused refused) {
        return switch (refused.reason) {
            case BAD_INPUT -> new RoomError(400, "bad_request", refused.getMessage());
            case WRONG_CODE -> new RoomError(401, "wrong_join_code", refused.getMessage());
            case UNKNOWN_TOKEN -> new RoomError(401, "unknown_participant", refused.getMessage());
            case NAME_TAKEN -> new RoomError(409, "name_taken", refused.getMessage());
            case FULL -> new RoomError(403, "room_full", refused.getMessage());
            case NO_SUCH_PARTICIPANT -> new RoomError(404, "no_such_participant", refused.getMessage());
        };
    }
}

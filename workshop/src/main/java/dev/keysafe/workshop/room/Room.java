package dev.keysafe.workshop.room;

import dev.keysafe.common.Sha256;
import dev.keysafe.workshop.lab.LabEvent.Step;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A workshop room: who joined, under the name they chose, and what each reported per lab
 * (started, hints taken, solved and what their check attested). Secrets are held only as SHA-256
 * digests: the join code and each participant's token; the room never sees a participant's code,
 * output or key, since no event can carry them. Every change is passed to the listeners (the
 * state file, the live board) in order. Knows nothing of HTTP: a refusal is a {@link Refused}.
 */
final class Room {

    static final int MAX_PARTICIPANTS = 200;
    static final int MAX_NAME_LENGTH = 32;

    /** Why the room refused; the server gives each its HTTP status. */
    enum Refusal { BAD_INPUT, WRONG_CODE, UNKNOWN_TOKEN, NAME_TAKEN, FULL, NO_SUCH_PARTICIPANT }

    /** A refusal, with a message that says what to fix and never quotes a secret. */
    static final class Refused extends Exception {
        final Refusal reason;

        Refused(Refusal reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }

    /** Everything the room holds, as its state file keeps it: the participants in join order. */
    record Snapshot(List<Participant> participants) {
        Snapshot {
            participants = List.copyOf(participants);
        }
    }

    /**
     * One participant.
     *
     * @param tokenSha256  the digest of their token, in hex; null once they left
     * @param lastProgress when their last event arrived (the room's clock), or null
     * @param labs         lab number to what they reported
     */
    record Participant(String name, String tokenSha256, String joined, String lastProgress,
                       Map<String, LabRecord> labs) {
        Participant {
            labs = Collections.unmodifiableMap(new TreeMap<>(labs == null ? Map.of() : labs));
        }
    }

    /** One lab of one participant: {@code started} or {@code solved}, hints taken, the solve if any. */
    record LabRecord(String state, int hints, Solve solve) {
    }

    /** A solve as the participant's own check attested it: self-reported. */
    record Solve(String at, String checkVersion, String digest) {
    }

    /** A join that succeeded: the participant's name as kept, and their token (given once, to them). */
    record Joined(String name, String token) {
        @Override
        public String toString() {
            return "Joined[" + name + "]";
        }
    }

    private final Clock clock;
    private final List<String> labIds;
    private final Map<String, Participant> participants = new LinkedHashMap<>();
    private final Map<String, String> nameByToken = new HashMap<>();
    private final List<Consumer<Snapshot>> listeners = new CopyOnWriteArrayList<>();
    private byte[] codeDigest = new byte[0];

    /** A room for labs {@code labIds}, holding {@code restored}'s participants (a restart). */
    Room(Clock clock, List<String> labIds, Snapshot restored) {
        this.clock = clock;
        this.labIds = List.copyOf(labIds);
        for (Participant p : restored.participants()) {
            participants.put(key(p.name()), p);
            if (p.tokenSha256() != null) {
                nameByToken.put(p.tokenSha256(), key(p.name()));
            }
        }
    }

    List<String> labIds() {
        return labIds;
    }

    /** Called with the new state after every change, in order. */
    void onChange(Consumer<Snapshot> listener) {
        listeners.add(listener);
    }

    /** A new join code; the old one stops working. Returns it: the room keeps only its digest. */
    synchronized String newJoinCode() {
        String code = RoomSecrets.joinCode();
        codeDigest = Sha256.of(code);
        return code;
    }

    /** Admits {@code name} when {@code code} is the current join code. */
    synchronized Joined join(String code, String name) throws Refused {
        String kept = checkName(name);
        if (!Sha256.sameDigest(Sha256.of(RoomSecrets.normalizeCode(code)), codeDigest)) {
            throw new Refused(Refusal.WRONG_CODE, "That join code is not this room's (it may have been changed). "
                    + "Ask the facilitator for the current one.");
        }
        if (participants.containsKey(key(kept))) {
            throw new Refused(Refusal.NAME_TAKEN, "Someone in the room already goes by that name: choose another.");
        }
        if (participants.size() >= MAX_PARTICIPANTS) {
            throw new Refused(Refusal.FULL, "The room is full (" + MAX_PARTICIPANTS + " participants).");
        }
        String token = RoomSecrets.participantToken();
        String digest = Sha256.hex(token);
        participants.put(key(kept), new Participant(kept, digest, now(), null, Map.of()));
        nameByToken.put(digest, key(kept));
        changed();
        return new Joined(kept, token);
    }

    /** Records {@code report} for the participant holding {@code token}; returns their name. */
    synchronized String report(String token, Report report) throws Refused {
        Participant p = holder(token);
        LabRecord before = p.labs().get(report.lab());
        int hints = before == null ? 0 : before.hints();
        Solve solve = before == null ? null : before.solve();
        String state = before == null ? "started" : before.state();
        LabRecord after = switch (report.step()) {
            case STARTED -> new LabRecord(state, hints, solve);
            case HINT -> new LabRecord(state, Math.max(hints, report.hint()), solve);
            // The first solve stands: re-checking a solved lab moves "last progress" only.
            case SOLVED -> new LabRecord("solved", hints,
                    solve != null ? solve : new Solve(now(), report.checkVersion(), report.digest()));
        };
        Map<String, LabRecord> labs = new TreeMap<>(p.labs());
        labs.put(report.lab(), after);
        participants.put(key(p.name()), new Participant(p.name(), p.tokenSha256(), p.joined(), now(), labs));
        changed();
        return p.name();
    }

    /** The name of the participant holding {@code token}: who is asking, before what they ask is read. */
    synchronized String who(String token) throws Refused {
        return holder(token).name();
    }

    /** Revokes {@code token}: its holder stays on the board, and can report nothing more. */
    synchronized String leave(String token) throws Refused {
        Participant p = holder(token);
        nameByToken.remove(p.tokenSha256());
        participants.put(key(p.name()), new Participant(p.name(), null, p.joined(), p.lastProgress(), p.labs()));
        changed();
        return p.name();
    }

    /** Removes the participant called {@code name} (any case), token and progress. */
    synchronized String remove(String name) throws Refused {
        Participant p = participants.remove(key(name.strip()));
        if (p == null) {
            throw new Refused(Refusal.NO_SUCH_PARTICIPANT, "No participant goes by that name (GET /board lists them).");
        }
        if (p.tokenSha256() != null) {
            nameByToken.remove(p.tokenSha256());
        }
        changed();
        return p.name();
    }

    /** Removes everyone; returns how many. The join code stays. */
    synchronized int reset() {
        int count = participants.size();
        participants.clear();
        nameByToken.clear();
        changed();
        return count;
    }

    synchronized Snapshot snapshot() {
        return new Snapshot(new ArrayList<>(participants.values()));
    }

    /** Never a digest or a name: the room in a log line. */
    @Override
    public synchronized String toString() {
        return "Room[" + participants.size() + " participants]";
    }

    /**
     * A name as the board will show it: 1 to 32 characters once trimmed, each printable (no control
     * or formatting character, which could reorder or hide text on the board).
     */
    static String checkName(String typed) throws Refused {
        String name = typed == null ? "" : typed.strip();
        long length = name.codePoints().count();
        boolean printable = name.codePoints().allMatch(Room::printable);
        if (length < 1 || length > MAX_NAME_LENGTH || !printable) {
            throw new Refused(Refusal.BAD_INPUT, "A name must be 1 to " + MAX_NAME_LENGTH
                    + " printable characters (letters, digits, spaces, punctuation).");
        }
        return name;
    }

    private static boolean printable(int c) {
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED -> false;
            default -> true;
        };
    }

    private Participant holder(String token) throws Refused {
        String name = token == null ? null : nameByToken.get(Sha256.hex(token));
        if (name == null) {
            throw new Refused(Refusal.UNKNOWN_TOKEN, "This room does not know that participant token: "
                    + "join with ./kit room join URL CODE --name NAME.");
        }
        return participants.get(name);
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    private String now() {
        return clock.instant().toString();
    }

    private void changed() {
        Snapshot snapshot = snapshot();
        listeners.forEach(listener -> listener.accept(snapshot));
    }
}

package dev.keysafe.workshop.room;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.common.Json;
import dev.keysafe.workshop.Workspace;
import dev.keysafe.workshop.lab.LabEvent;
import dev.keysafe.workshop.lab.LabEvents;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The room's side of the lab commands' {@link LabEvents}: when this workspace has joined a room,
 * each event goes to it as one small JSON object (the lab, the step, the time; for a solve the
 * check's version and a digest), with the participant's token. Without a room it does nothing.
 * It never throws: a room that is down or refuses costs one warning line, and the lab goes on.
 */
public final class RoomReporter implements LabEvents {

    private final Path membershipFile;

    RoomReporter(Path membershipFile) {
        this.membershipFile = membershipFile;
    }

    /** The reporter for {@code workspace}: its membership is read when an event comes, not before. */
    public static RoomReporter of(Workspace workspace) {
        return new RoomReporter(Membership.file(workspace));
    }

    /** The event exactly as it is sent: nothing else leaves the laptop. */
    static ObjectNode body(LabEvent event) {
        ObjectNode body = Json.object().put("lab", event.lab()).put("step", event.step().word());
        if (event.step() == LabEvent.Step.HINT) {
            body.put("hint", event.hint());
        }
        body.put("at", event.at().toString());
        if (event.attestation() != null) {
            body.put("check_version", event.attestation().checkVersion()).put("digest", event.attestation().digest());
        }
        return body;
    }

    @Override
    public void report(LabEvent event, PrintWriter warnings) {
        Optional<Membership> membership;
        try {
            membership = Membership.load(membershipFile);
        } catch (Membership.Unreadable e) {
            warn(warnings, e.getMessage());
            return;
        }
        if (membership.isEmpty()) {
            return;
        }
        Membership room = membership.get();
        try {
            RoomHttp.Answer answer = RoomHttp.post(room.room().resolve("progress"), room.token(), body(event),
                    RoomHttp.Patience.REPORT);
            if (answer.status() == 401) {
                warn(warnings, "the room at " + room.room() + " no longer knows you (removed, or the room was reset): "
                        + "./kit room leave, then join again.");
            } else if (!answer.ok()) {
                warn(warnings, "the room did not take this step (" + answer.message() + "); the lab goes on.");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            warn(warnings, "reporting to the room was interrupted; the lab goes on.");
        } catch (Exception unreachable) {
            warn(warnings, "the room at " + room.room() + " did not answer (" + unreachable.getClass().getSimpleName()
                    + "); the lab goes on. ./kit room leave stops reporting.");
        }
    }

    private static void warn(PrintWriter warnings, String line) {
        warnings.println("kit: room: " + line);
        warnings.flush();
    }
}

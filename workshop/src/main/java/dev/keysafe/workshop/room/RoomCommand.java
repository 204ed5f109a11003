package dev.keysafe.workshop.room;

import dev.keysafe.workshop.Kit;
import dev.keysafe.workshop.shared.WhichCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code ./kit room ...}: the workshop room, a facilitator's live board of who has solved which
 * lab. The facilitator serves it; each participant joins it once, and from then on their lab
 * commands report one small event per step. Nothing secret leaves a laptop: see ROOM.md.
 */
@Command(name = "room", mixinStandardHelpOptions = true, versionProvider = Kit.Version.class,
        usageHelpAutoWidth = true, synopsisSubcommandLabel = "COMMAND",
        subcommands = {ServeCommand.class, ParticipantCommands.Join.class, ParticipantCommands.Leave.class,
            ParticipantCommands.Status.class, AdminCommand.class},
        description = {
            "The workshop room: a live board of who has solved which lab, for the facilitator's projector.",
            "",
            "The facilitator runs room serve; each participant runs room join once. From then on lab start, "
                    + "lab hint and a passing lab check each send the room one event: the lab, the step, the time "
                    + "(a solve adds the check's version and a digest of the checked files). Never code, output, "
                    + "keys or paths. Solves are self-reported: the room cannot rerun a check. Without a room, "
                    + "the labs work exactly as before. Details: workshop/ROOM.md."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  HOST=192.168.1.20 ./kit room serve --state room.json",
            "                        the facilitator: prints the join code, the board's URL, the admin token",
            "  ./kit room join http://192.168.1.20:7080/ K7QXM2PA --name ada",
            "                        a participant joins (once per laptop)",
            "  ./kit room status     am I in a room, and where is my token kept?",
            "  ./kit room leave      stop reporting",
            "  ./kit room admin http://192.168.1.20:7080/ code",
            "                        the facilitator: a new join code (reads the admin token)",
            "",
            "Exit codes:",
            "  0   done",
            "  1   the room refused (wrong join code, name taken, admin token wrong) or did not answer",
            "  2   serve: HOST is not one address, the port is in use, or FILE is not a room's state",
            "  64  bad input: a malformed URL, name or action, already in a room (join)"
        })
public final class RoomCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return WhichCommand.ask(spec, "which room command? (serve, join, status, leave, admin)");
    }
}

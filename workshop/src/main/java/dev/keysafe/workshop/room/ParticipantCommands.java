package dev.keysafe.workshop.room;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.common.ExitCode;
import dev.keysafe.common.Json;
import dev.keysafe.workshop.KitException;
import dev.keysafe.workshop.Workspace;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * A participant's room commands: {@code join} (once per laptop), {@code status}, {@code leave}.
 * The membership, the participant's token included, is kept in {@code .keysafe/room.json} beside
 * the lab progress: see {@link Membership}.
 */
final class ParticipantCommands {

    /** What a joined laptop sends, in the words join and status print. */
    static final String WHAT_IS_SENT = "lab start, lab hint and a passing lab check each send the room one event: "
            + "the lab, the step, the time (a solve adds the check's version and a digest of the checked files). "
            + "Never your code, output, keys or paths.";

    private ParticipantCommands() {
    }

    @Command(name = "join", mixinStandardHelpOptions = true,
            description = {"Joins the room at URL with its join CODE, under NAME (shown on the board).",
                "Keeps the room's address and your participant token in .keysafe/room.json (mode 600)."})
    static final class Join implements Callable<Integer> {
        private final Workspace workspace;
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "URL", description = "The board's address, as room serve printed it.")
        String url;
        @Parameters(index = "1", paramLabel = "CODE", description = "The join code the facilitator gave.")
        String code;
        @Option(names = "--name", required = true, paramLabel = "NAME",
                description = "Your name on the board: 1 to 32 printable characters.")
        String name;

        Join(Workspace workspace) {
            this.workspace = workspace;
        }

        @Override
        public Integer call() throws IOException {
            Path file = Membership.file(workspace);
            Optional<Membership> already = loadOrLeave(file);
            if (already.isPresent()) {
                throw new KitException("already in the room at " + already.get().room() + " as " + already.get().name()
                        + ". ./kit room leave first, then join again.");
            }
            URI room = RoomHttp.base(url);
            try {
                Room.checkName(name);
            } catch (Room.Refused refused) {
                throw new KitException("--name: " + refused.getMessage());
            }
            ObjectNode body = Json.object().put("code", code).put("name", name);
            RoomHttp.Answer answer = ask(room, () -> RoomHttp.post(room.resolve("join"), null, body,
                    RoomHttp.Patience.COMMAND));
            if (!answer.ok()) {
                throw new KitException("the room refused to let you in: " + answer.message(), ExitCode.FAILED);
            }
            String token = answer.body().path("token").asText("");
            String kept = answer.body().path("name").asText(name);
            if (token.isEmpty()) {
                throw new KitException("the room at " + room + " answered without a token: is URL a keysafe room?",
                        ExitCode.FAILED);
            }
            new Membership(room, kept, token).save(file);
            PrintWriter out = spec.commandLine().getOut();
            out.println("joined the room at " + room + " as " + kept + ".");
            out.println("your participant token: " + file + " (mode 600, git-ignored); the room keeps only its digest.");
            out.println("from now on " + WHAT_IS_SENT);
            out.println("./kit room leave stops it; ./kit room status shows it.");
            out.flush();
            return ExitCode.OK;
        }
    }

    @Command(name = "leave", mixinStandardHelpOptions = true,
            description = {"Stops reporting: the room revokes your token, and this laptop forgets it.",
                "The board keeps your name and progress."})
    static final class Leave implements Callable<Integer> {
        private final Workspace workspace;
        @Spec
        CommandSpec spec;

        Leave(Workspace workspace) {
            this.workspace = workspace;
        }

        @Override
        public Integer call() throws IOException {
            Path file = Membership.file(workspace);
            PrintWriter out = spec.commandLine().getOut();
            Optional<Membership> membership;
            try {
                membership = Membership.load(file);
            } catch (Membership.Unreadable unreadable) {
                membership = Optional.empty();
            }
            if (membership.isEmpty() && !Files.exists(file)) {
                out.println("not in a room: the labs report nothing.");
                out.flush();
                return ExitCode.OK;
            }
            String told = "";
            if (membership.isPresent()) {
                Membership room = membership.get();
                try {
                    RoomHttp.Answer answer = RoomHttp.post(room.room().resolve("leave"), room.token(), Json.object(),
                            RoomHttp.Patience.COMMAND);
                    told = answer.ok() ? " The room revoked your token." : " (The room answered: " + answer.message() + ")";
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (IOException | RuntimeException unreachable) {
                    told = " (The room did not answer; your token is gone from this laptop all the same.)";
                }
            }
            Files.deleteIfExists(file);
            out.println("left the room" + membership.map(m -> " at " + m.room()).orElse("")
                    + ": the labs report nothing from now on." + told);
            out.flush();
            return ExitCode.OK;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Whether this laptop is in a room, which, under what name, and where its token is kept.")
    static final class Status implements Callable<Integer> {
        private final Workspace workspace;
        @Spec
        CommandSpec spec;

        Status(Workspace workspace) {
            this.workspace = workspace;
        }

        @Override
        public Integer call() throws IOException {
            Path file = Membership.file(workspace);
            PrintWriter out = spec.commandLine().getOut();
            Optional<Membership> membership = loadOrLeave(file);
            if (membership.isEmpty()) {
                out.println("not in a room: the labs report nothing. Join one: ./kit room join URL CODE --name NAME");
            } else {
                out.println("in the room at " + membership.get().room() + " as " + membership.get().name() + ".");
                out.println("token: " + file + (PrivateFile.mode(file).isEmpty() ? "" : " (" + PrivateFile.mode(file) + ")"));
                out.println(WHAT_IS_SENT.substring(0, 1).toUpperCase(java.util.Locale.ROOT) + WHAT_IS_SENT.substring(1));
            }
            out.flush();
            return ExitCode.OK;
        }
    }

    private static Optional<Membership> loadOrLeave(Path file) {
        try {
            return Membership.load(file);
        } catch (Membership.Unreadable unreadable) {
            throw new KitException(unreadable.getMessage());
        }
    }

    /** One call to the room; a room that does not answer is exit 1 with what to check. */
    interface Call {
        RoomHttp.Answer run() throws IOException, InterruptedException;
    }

    static RoomHttp.Answer ask(URI room, Call call) {
        try {
            return call.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KitException("interrupted", ExitCode.FAILED);
        } catch (IOException | RuntimeException unreachable) {
            throw new KitException("the room at " + room + " did not answer (" + unreachable.getClass().getSimpleName()
                    + "). Check the URL with the facilitator, and that this machine is on the room's network.",
                    ExitCode.FAILED);
        }
    }
}

package dev.keysafe.workshop.room;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keysafe.common.ExitCode;
import dev.keysafe.common.Json;
import dev.keysafe.workshop.KitException;
import dev.keysafe.workshop.Workspace;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./kit room admin URL code|remove NAME|reset}: the facilitator's actions, with the admin
 * token that {@code room serve} printed. The token is read from KEYSAFE_ROOM_ADMIN_TOKEN or typed
 * at a prompt, never taken as an argument: a command line is visible to every user of the machine.
 */
@Command(name = "admin", mixinStandardHelpOptions = true,
        description = {"The facilitator's actions on the room at URL, with the admin token room serve printed:",
            "  code          a new join code (printed; the old one stops admitting anyone)",
            "  remove NAME   removes a participant: their row, progress and token",
            "  reset         removes everyone (the join code stays)",
            "The admin token comes from KEYSAFE_ROOM_ADMIN_TOKEN, else from a prompt (not echoed)."})
final class AdminCommand implements Callable<Integer> {

    static final String TOKEN_VARIABLE = "KEYSAFE_ROOM_ADMIN_TOKEN";

    private final Workspace workspace;
    @Spec
    CommandSpec spec;
    @Parameters(index = "0", paramLabel = "URL", description = "The board's address, as room serve printed it.")
    String url;
    @Parameters(index = "1", paramLabel = "ACTION", description = "code, remove or reset.")
    String action;
    @Parameters(index = "2", arity = "0..1", paramLabel = "NAME", description = "For remove: the participant's name.")
    String name;

    AdminCommand(Workspace workspace) {
        this.workspace = workspace;
    }

    @Override
    public Integer call() throws IOException {
        URI room = RoomHttp.base(url);
        String path = switch (action) {
            case "code" -> "admin/join-code";
            case "remove" -> "admin/remove";
            case "reset" -> "admin/reset";
            default -> throw new KitException("ACTION must be code, remove or reset (./kit room admin --help).");
        };
        if (action.equals("remove") == (name == null)) {
            throw new KitException(name == null ? "remove needs the participant's NAME." : "only remove takes a NAME.");
        }
        ObjectNode body = name == null ? Json.object() : Json.object().put("name", name);
        String token = adminToken();
        RoomHttp.Answer answer = ParticipantCommands.ask(room, () -> RoomHttp.post(room.resolve(path), token, body,
                RoomHttp.Patience.COMMAND));
        if (!answer.ok()) {
            throw new KitException("the room refused: " + answer.message(), ExitCode.FAILED);
        }
        PrintWriter out = spec.commandLine().getOut();
        switch (action) {
            case "code" -> out.println("join code: " + answer.body().path("join_code").asText()
                    + "   (the old code no longer admits anyone; those who joined stay)");
            case "remove" -> out.println("removed " + answer.body().path("removed").asText() + " from the room.");
            default -> out.println("room reset: " + answer.body().path("removed").asInt() + " participant(s) removed.");
        }
        out.flush();
        return ExitCode.OK;
    }

    private String adminToken() throws IOException {
        String fromEnv = workspace.env().getOrDefault(TOKEN_VARIABLE, "").strip();
        if (!fromEnv.isEmpty()) {
            return fromEnv;
        }
        Console console = System.console();
        if (workspace.inheritStdin() && console != null) {
            char[] typed = console.readPassword("admin token (as ./kit room serve printed it): ");
            return typed == null ? "" : new String(typed).strip();
        }
        spec.commandLine().getErr().println("admin token (as ./kit room serve printed it), then Enter:");
        spec.commandLine().getErr().flush();
        String line = new BufferedReader(new InputStreamReader(workspace.stdin(), StandardCharsets.UTF_8)).readLine();
        if (line == null || line.isBlank()) {
            throw new KitException("no admin token: set " + TOKEN_VARIABLE + " or type it at the prompt.");
        }
        return line.strip();
    }
}

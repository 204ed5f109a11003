package dev.keysafe.workshop.room;

import dev.keysafe.common.ExitCode;
import dev.keysafe.workshop.KitException;
import dev.keysafe.workshop.Workspace;
import dev.keysafe.workshop.lab.Lab;
import dev.keysafe.workshop.lab.Labs;
import io.javalin.Javalin;
import io.javalin.util.JavalinBindException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./kit room serve}: starts the room on HOST (default 127.0.0.1) and prints, on lines of
 * their own, the join code, the board's URL and, once, the facilitator's admin token; then one
 * line per join, event and admin action, until Ctrl-C.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Starts the room: prints the join code, the board's URL and the admin token.",
            "Listens on HOST (default 127.0.0.1: this machine only). For a room on a LAN, set HOST to this "
                    + "machine's address on that network."})
final class ServeCommand implements Callable<Integer> {

    static final int DEFAULT_PORT = 7080;
    static final String DEFAULT_HOST = "127.0.0.1";

    private final Workspace workspace;
    @Spec
    CommandSpec spec;
    @Option(names = "--port", paramLabel = "N", defaultValue = "" + DEFAULT_PORT,
            description = "The port (default ${DEFAULT-VALUE}; 0: any free port).")
    int port;
    @Option(names = "--state", paramLabel = "FILE",
            description = "Keep the room in FILE (mode 600) so a restart keeps who joined and their progress.")
    Path state;
    @Option(names = "--for-seconds", paramLabel = "N",
            description = "Stop after N seconds instead of at Ctrl-C (for scripts and tests).")
    Integer forSeconds;

    ServeCommand(Workspace workspace) {
        this.workspace = workspace;
    }

    @Override
    public Integer call() throws Exception {
        String host = host(workspace.env().getOrDefault("HOST", ""));
        if (port < 0 || port > 65535 || (forSeconds != null && forSeconds < 0)) {
            throw new KitException("--port must be 0 to 65535 and --for-seconds 0 or more.");
        }
        PrintWriter out = spec.commandLine().getOut();
        Consumer<String> log = line -> {
            synchronized (out) {
                out.println(LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " " + line);
                out.flush();
            }
        };
        Path stateFile = state == null ? null : workspace.workingDir().resolve(state).normalize();
        Room room = new Room(Clock.systemUTC(), Labs.LABS.stream().map(Lab::id).toList(),
                stateFile == null ? new Room.Snapshot(List.of()) : StateFile.load(stateFile));
        if (stateFile != null) {
            StateFile saved = new StateFile(stateFile, log);
            room.onChange(saved::save);
            saved.save(room.snapshot());
        }
        String code = room.newJoinCode();
        String adminToken = RoomSecrets.adminToken();
        Javalin app = RoomServer.create(room, adminToken, log, Clock.systemUTC());
        try {
            app.start(host, port);
        } catch (JavalinBindException e) {
            app.stop();
            throw new KitException("the room cannot listen on " + host + " port " + port + " (in use, or not an "
                    + "address of this machine): choose another with --port N, or set HOST to an address of this "
                    + "machine.", ExitCode.CONFIG);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread stopper = new Thread(() -> {
            app.stop();
            stopped.countDown();
        }, "room-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        String board = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + app.port() + "/";
        banner(out, host, board, code, adminToken, stateFile, room.snapshot().participants().size());
        if (forSeconds != null) {
            stopped.await(forSeconds, TimeUnit.SECONDS);
            Runtime.getRuntime().removeShutdownHook(stopper);
            app.stop();
            out.println("the room stopped after " + forSeconds + " s" + (stateFile == null ? "." : "; kept in " + stateFile));
            out.flush();
        } else {
            stopped.await();
        }
        return ExitCode.OK;
    }

    private static void banner(PrintWriter out, String host, String board, String code, String adminToken,
                               Path stateFile, int restored) {
        boolean loopback = isLoopback(host);
        out.println("keysafe room: listening on " + host + (loopback
                ? " only: this machine, nobody else. For a room on a LAN, set HOST to this machine's address on"
                        + " that network: HOST=192.168.1.20 ./kit room serve"
                : ": anyone on that network who has the join code can join."));
        out.println("join code: " + code);
        out.println("board: " + board);
        out.println("participants join with: ./kit room join " + board + " " + code + " --name NAME");
        out.println("admin token: " + adminToken);
        out.println("  (yours alone, printed this once and kept nowhere: the room keeps its digest. With it, ./kit room"
                + " admin " + board + " code|remove NAME|reset changes the join code, removes someone, clears the"
                + " room. Project the board, not this terminal.)");
        if (stateFile != null) {
            out.println("state: " + stateFile + " (mode 600; " + restored + " participant(s) kept from before; the join"
                    + " code and admin token are new at every start)");
        }
        out.println("Ctrl-C stops the room.");
        out.flush();
    }

    /** HOST checked: one address or name of this machine's, never every interface at once. */
    static String host(String configured) {
        String host = configured.strip();
        if (host.isEmpty()) {
            return DEFAULT_HOST;
        }
        if (!host.matches("[A-Za-z0-9.:\\-]{1,255}")) {
            throw new KitException("HOST is not a host name or address. Use 127.0.0.1 (this machine only, the "
                    + "default) or this machine's address on the room's network, such as 192.168.1.20.", ExitCode.CONFIG);
        }
        if (host.equals("0.0.0.0") || host.equals("::") || host.matches("[0:]+")) {
            throw new KitException("HOST=" + host + " would open the room on every network this machine is on. Set"
                    + " HOST to its address on the room's network only (ip addr, ipconfig or your network settings"
                    + " show it), such as 192.168.1.20.", ExitCode.CONFIG);
        }
        return host;
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}

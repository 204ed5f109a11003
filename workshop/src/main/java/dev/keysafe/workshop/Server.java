package dev.keysafe.workshop;

import dev.keysafe.testkit.run.ModuleLaunch;
import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What the kit knows about a module that is a server (one that runs until stopped instead of
 * answering once and exiting): the line it prints when it is ready, what to set up for a user who
 * starts it offline, and how the tour drives it as its clients would. Module 06's is
 * {@link ProxyDriver}.
 */
public interface Server {

    /** The line the server prints on stdout once it serves; group 1 is its base URL. */
    Pattern readyLine();

    /**
     * Sets up what a user needs to try the running server ({@code ./kit run NN --offline}: a
     * demo credential, say) and returns what to tell them, one block of lines.
     */
    String welcome(Session session) throws IOException, InterruptedException;

    /**
     * Drives the running server as its clients would, for the tour. The stub accepts the run's
     * key when this starts; the drive may change that (to see a rejected key handled).
     */
    Drive drive(Session session);

    /**
     * A running server.
     *
     * @param url     its base URL, without a trailing slash ({@code http://127.0.0.1:7070})
     * @param context the offline run: the key the stub accepts, the stub, the working directory
     * @param launch  how it was started (its environment holds the credentials its setup chose)
     */
    record Session(String url, Offline.Context context, ModuleLaunch launch) {
    }

    /**
     * What one drive saw.
     *
     * @param did      what happened, one line per step, for the tour's report
     * @param received every response body a client received (answers, streams, errors), to be
     *                 searched for the key
     * @param problems what a correct server would not have done; empty when all went as expected
     */
    record Drive(List<String> did, List<String> received, List<String> problems) {
        public Drive {
            did = List.copyOf(did);
            received = List.copyOf(received);
            problems = List.copyOf(problems);
        }
    }
}

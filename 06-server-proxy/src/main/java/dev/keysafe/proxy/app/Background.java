package dev.keysafe.proxy.app;

import dev.keysafe.proxy.StoreUnavailable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The full server's background work, on one daemon thread of its own and never on a request's path,
 * started and stopped with the server: the key file's check and the store's upkeep. A run that fails
 * is logged and the work runs again at its next time.
 */
final class Background {

    private static final Logger LOG = LoggerFactory.getLogger(Background.class);

    /** One piece of work and how long to wait between its runs. */
    private record Work(String name, Duration every, Runnable run) {
    }

    private final List<Work> work = new ArrayList<>();
    private ScheduledExecutorService thread;

    /** Adds {@code run}, to be run every {@code every} once the server has started. */
    void every(Duration every, String name, Runnable run) {
        work.add(new Work(name, every, run));
    }

    synchronized void start() {
        if (thread != null) {
            return;
        }
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread daemon = new Thread(task, "proxy-background");
            daemon.setDaemon(true);
            return daemon;
        });
        for (Work each : work) {
            executor.scheduleWithFixedDelay(() -> runOnce(each), each.every().toMillis(), each.every().toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        thread = executor;
    }

    synchronized void stop() {
        if (thread != null) {
            thread.shutdownNow();
            thread = null;
        }
    }

    private static void runOnce(Work each) {
        try {
            each.run().run();
        } catch (StoreUnavailable outage) {
            // The store has said so once already; its upkeep waits for the next run.
        } catch (RuntimeException e) {
            // The type only: a message could quote what the work was handling.
            LOG.warn("{} failed ({}); it runs again in {}", each.name(), e.getClass().getSimpleName(), each.every());
        }
    }
}

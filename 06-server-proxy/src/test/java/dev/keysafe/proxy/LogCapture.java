package dev.keysafe.proxy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * Every logger of this JVM turned to TRACE, every event kept in memory (message, arguments and
 * stack trace), so a test can search all of it. Closing it puts the levels and appenders back.
 *
 * <p>The OpenAI stub's own loggers are left out: the stub is the upstream, and it is supposed to
 * see the key.
 */
public final class LogCapture implements AutoCloseable {

    private static final List<String> UPSTREAM_LOGGERS = List.of("com.github.tomakehurst", "wiremock", "org.wiremock");

    /** One captured event: its logger and its text, rendered on the thread that logged it. */
    private record Line(String logger, String text) {
    }

    /**
     * Renders each event as it is logged, without a lock of its own: rendering calls toString()
     * on the arguments, and a lock held around that could deadlock with the code logging.
     */
    private static final class Capture extends UnsynchronizedAppenderBase<ILoggingEvent> {
        final Queue<Line> lines = new ConcurrentLinkedQueue<>();

        @Override
        protected void append(ILoggingEvent event) {
            String text = event.getLevel() + " " + event.getLoggerName() + " - " + event.getFormattedMessage();
            if (event.getThrowableProxy() != null) {
                text += "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy());
            }
            lines.add(new Line(event.getLoggerName(), text));
        }
    }

    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final Map<String, Level> previous = new HashMap<>();
    private final Capture capture = new Capture();
    private final List<Appender<ILoggingEvent>> console = new ArrayList<>();

    private LogCapture() {
        for (Logger logger : context.getLoggerList()) {
            previous.put(logger.getName(), logger.getLevel());
            if (!logger.getName().equals(Logger.ROOT_LOGGER_NAME)) {
                logger.setLevel(null);
            }
        }
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.TRACE);
        // Everything at TRACE would flood the console: the usual appenders rest while we capture.
        root.iteratorForAppenders().forEachRemaining(console::add);
        console.forEach(root::detachAppender);
        capture.setContext(context);
        capture.start();
        root.addAppender(capture);
    }

    public static LogCapture everythingAtTrace() {
        return new LogCapture();
    }

    /** All events captured so far, one per line, with stack traces; the stub's own left out. */
    public String text() {
        return capture.lines.stream().filter(l -> UPSTREAM_LOGGERS.stream().noneMatch(l.logger()::startsWith))
                .map(Line::text).collect(Collectors.joining("\n"));
    }

    /** Events of the proxy's own loggers only. */
    public String proxyText() {
        return capture.lines.stream()
                .filter(l -> l.logger().startsWith("dev.keysafe") || l.logger().startsWith("keysafe."))
                .map(Line::text).collect(Collectors.joining("\n"));
    }

    public int size() {
        return capture.lines.size();
    }

    public void clear() {
        capture.lines.clear();
    }

    @Override
    public void close() {
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.detachAppender(capture);
        console.forEach(root::addAppender);
        capture.stop();
        previous.forEach((name, level) -> context.getLogger(name).setLevel(level));
    }
}

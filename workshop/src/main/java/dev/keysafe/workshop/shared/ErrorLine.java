package dev.keysafe.workshop.shared;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A module's own error message, found in a stderr full of TRACE logs and SDK debug lines: the
 * last line that is not a log event, an HTTP trace or a stack frame.
 */
public final class ErrorLine {

    private static final Pattern NOT_A_MESSAGE = Pattern.compile(
            "^\\s*$|^\\s+at |^\\s*\\.\\.\\. \\d+ (more|common frames omitted)|^Caused by:|^\\s*Suppressed:"
                    + "|^(TRACE|DEBUG|INFO|WARN|ERROR) |^(-->|<--) ");

    private ErrorLine() {
    }

    /** The module's message in {@code stderr}, or {@code (no message on stderr)}. */
    public static String in(String stderr) {
        List<String> lines = stderr.lines().toList();
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (!NOT_A_MESSAGE.matcher(lines.get(i)).find()) {
                return lines.get(i);
            }
        }
        return "(no message on stderr)";
    }
}

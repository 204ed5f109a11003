package dev.keysafe.workshop.shared;

import dev.keysafe.testkit.leaks.Channel;
import dev.keysafe.testkit.leaks.Finding;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the launcher shows the leak list's channel codes (C1-C22) to a reader who has never seen
 * the list: a finding on one line with one pair of brackets, and a legend for every code an output
 * holds, printed with that output.
 */
public final class ChannelCodes {

    private static final Pattern CODE = Pattern.compile("\\bC(\\d{1,2})\\b");

    private ChannelCodes() {
    }

    /**
     * One finding: {@code C7 stderr line 23 (masked: OpenAI 401 echo)}. The form's own brackets
     * become a colon, so brackets never nest.
     */
    public static String line(Finding finding) {
        return finding.channel() + " " + flat(finding.where()) + " (" + flat(finding.form()) + ")";
    }

    /** {@code a (b)} as {@code a: b}, so that it can sit inside brackets. */
    static String flat(String text) {
        return text.replace(" (", ": ").replace("(", "").replace(")", "");
    }

    /**
     * The legend of {@code output}: one {@code C7 = logs: ...} line for each channel code it
     * holds, in number order; empty when it holds none.
     */
    public static List<String> legend(String output) {
        TreeSet<Integer> numbers = new TreeSet<>();
        Matcher code = CODE.matcher(output);
        while (code.find()) {
            int number = Integer.parseInt(code.group(1));
            if (number >= 1 && number <= Channel.values().length) {
                numbers.add(number);
            }
        }
        List<String> lines = new ArrayList<>();
        for (int number : numbers) {
            Channel channel = Channel.valueOf("C" + number);
            lines.add(channel + " = " + channel.description());
        }
        return lines;
    }
}

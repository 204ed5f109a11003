package dev.keysafe.testkit.leaks;

/**
 * One place a key was found: the channel, where exactly (a stream, a file, a commit), and in which
 * form (plain, base64, masked...). It never holds the key itself, so it is safe to print.
 */
public record Finding(Channel channel, String where, String form) {

    @Override
    public String toString() {
        return channel + " " + where + " (" + form + ")";
    }
}

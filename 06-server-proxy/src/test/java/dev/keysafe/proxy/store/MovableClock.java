package dev.keysafe.proxy.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The system's time, plus however far a test has moved it on: hours pass in a millisecond. One made
 * {@link #standingAt} moves only when moved on, for counts kept per minute, which the end of a real
 * minute during the test would otherwise split in two.
 */
final class MovableClock extends Clock {

    /** Where a standing clock starts; null for one that follows the system's time. */
    private final Instant standing;
    private volatile Duration ahead = Duration.ZERO;

    MovableClock() {
        this(null);
    }

    private MovableClock(Instant standing) {
        this.standing = standing;
    }

    static MovableClock standingAt(Instant start) {
        return new MovableClock(start);
    }

    void moveOn(Duration by) {
        ahead = ahead.plus(by);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return (standing == null ? Instant.now() : standing).plus(ahead);
    }
}

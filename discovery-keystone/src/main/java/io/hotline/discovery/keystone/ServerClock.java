package io.hotline.discovery.keystone;

import java.time.Instant;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Keystone's clock as told by its {@code Date} headers, so that no client's clock matters: a header names the second
 * the server was in at some moment between sending the request and reading the answer, which bounds the offset between
 * the server's clock and this process's monotonic one; each answer narrows the bounds (a second wide at first, about a
 * request's round trip once answers have come in across second boundaries). Bounds that stop overlapping mean the
 * server's clock was set: they start again from the latest answer.
 *
 * <p>Leases are stamped with {@link #latest()} and judged with {@link #earliest()}, so that an age is never
 * overestimated: an endpoint never looks critical or gone early; it may look passing late by the two clocks' widths.
 */
final class ServerClock {

    private static final long SECOND_NANOS = 1_000_000_000L;

    private final LongSupplier nanos;
    /** Server epoch nanoseconds minus local nanoTime: at least {@code low}, less than {@code high}. */
    private long low = Long.MIN_VALUE;
    private long high = Long.MAX_VALUE;

    ServerClock(LongSupplier nanos) {
        this.nanos = nanos;
    }

    /** Takes the {@code Date} of an answer to a request sent at {@code sentNanos} and read at {@code readNanos}. */
    synchronized void observe(Instant date, long sentNanos, long readNanos) {
        long dateNanos = date.getEpochSecond() * SECOND_NANOS;
        long lower = dateNanos - readNanos;
        long upper = dateNanos + SECOND_NANOS - sentNanos;
        if (lower >= high || upper <= low) {
            low = lower;
            high = upper;
            return;
        }
        low = Math.max(low, lower);
        high = Math.min(high, upper);
    }

    /** The earliest the server's time can be now, or empty before the first answer. */
    synchronized Optional<Instant> earliest() {
        return low == Long.MIN_VALUE ? Optional.empty() : Optional.of(instant(nanos.getAsLong() + low));
    }

    /** The latest the server's time can be now, or empty before the first answer. */
    synchronized Optional<Instant> latest() {
        return low == Long.MIN_VALUE ? Optional.empty() : Optional.of(instant(nanos.getAsLong() + high - 1));
    }

    private static Instant instant(long epochNanos) {
        return Instant.ofEpochSecond(Math.floorDiv(epochNanos, SECOND_NANOS), Math.floorMod(epochNanos, SECOND_NANOS));
    }
}

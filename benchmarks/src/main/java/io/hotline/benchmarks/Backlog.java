package io.hotline.benchmarks;

import java.time.Duration;
import java.util.function.LongSupplier;

/** Waiting, bounded, for a server to catch up with the casts it accepted. */
final class Backlog {

    private static final long POLL_MILLIS = 10;

    private Backlog() {}

    /**
     * Polls {@code unhandled} until it is 0 or {@code timeout} has passed.
     *
     * @return the last count seen; 0 when the server caught up in time
     */
    static long await(LongSupplier unhandled, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long left = unhandled.getAsLong();
        while (left > 0 && System.nanoTime() - deadline < 0) {
            Thread.sleep(POLL_MILLIS);
            left = unhandled.getAsLong();
        }
        return Math.max(0, left);
    }
}

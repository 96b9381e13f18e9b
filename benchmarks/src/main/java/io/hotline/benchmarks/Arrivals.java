package io.hotline.benchmarks;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which receivers got which fanout, and when the first and the last of them did: each fanout is one event name, each
 * receiver (a server's port, a consumer's number) counts once, and a second arrival at the same receiver is a
 * duplicate.
 */
final class Arrivals {

    /** One fanout's arrivals. */
    static final class Round {
        private final CountDownLatch all;
        private final Set<Integer> receivers = ConcurrentHashMap.newKeySet();
        private final AtomicInteger duplicates = new AtomicInteger();
        private final AtomicLong firstNanos = new AtomicLong(Long.MAX_VALUE);
        private final AtomicLong lastNanos = new AtomicLong(Long.MIN_VALUE);
        /** Set by {@link #startClock()} just before the cast: the round's times count from here. */
        private volatile long castNanos;

        private Round(int expected) {
            this.all = new CountDownLatch(expected);
        }

        /** Waits until every receiver has it, at most {@code timeout}; says whether all did. */
        boolean await(Duration timeout) throws InterruptedException {
            return all.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        int received() {
            return receivers.size();
        }

        int duplicates() {
            return duplicates.get();
        }

        /** Marks the moment of the cast; call it right before casting. */
        void startClock() {
            castNanos = System.nanoTime();
        }

        /** From the cast until the first receiver got it: the latency of the path, without the fanning out. */
        Duration first() {
            return Duration.ofNanos(firstNanos.get() - castNanos);
        }

        /** From the cast until the last receiver got its first copy. */
        Duration last() {
            return Duration.ofNanos(lastNanos.get() - castNanos);
        }
    }

    private final Map<String, Round> rounds = new ConcurrentHashMap<>();

    /** Starts counting {@code event}, expected at {@code receivers} receivers. */
    Round expect(String event, int receivers) {
        Round r = new Round(receivers);
        rounds.put(event, r);
        return r;
    }

    void arrived(String event, int receiver) {
        long now = System.nanoTime();
        Round r = rounds.get(event);
        if (r == null) {
            return;     // a warm-up's or an earlier run's event
        }
        if (r.receivers.add(receiver)) {
            r.firstNanos.accumulateAndGet(now, Math::min);
            r.lastNanos.accumulateAndGet(now, Math::max);
            r.all.countDown();
        } else {
            r.duplicates.incrementAndGet();
        }
    }
}

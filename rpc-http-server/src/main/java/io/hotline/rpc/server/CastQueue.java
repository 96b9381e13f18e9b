package io.hotline.rpc.server;

import io.hotline.discovery.Untrusted;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The casts a server answered 202 and has not finished, and the threads that run them. A 202 promises that the cast
 * runs, also when the server is stopped gracefully, so a cast is admitted only while the casts ahead of it can be run
 * within the drain budget (the grace period): the number waiting times the estimated run time of a cast, divided by
 * the threads, must stay within it, and the number waiting within the count bound. Beyond either the caller gets a
 * refusal to answer 503 with, before anything ran.
 *
 * <p>The estimate is a moving average of recent run times that rises fast and falls slowly, so a slower spell is
 * believed at once and a faster one only once it lasts; and never less than the longest a running cast has run so
 * far, so a method that turns slow (or a first cast, before any finished) counts before it ends.
 *
 * <p>{@link #drain} runs everything admitted: an estimate can be wrong, so past the grace period it says how many
 * casts are still to run and runs them on, up to a hard limit, after which it names each cast it gives up.
 */
final class CastQueue {

    private static final Logger log = LoggerFactory.getLogger(CastQueue.class);

    /** Weights of a new run time in the average: a longer one counts at once, a shorter one slowly. */
    private static final double RISE = 0.5;
    private static final double FALL = 0.05;

    /** A cast admitted, with what the stop's log names it by. */
    private record Cast(String method, String msgId, Runnable work) implements Runnable {
        @Override
        public void run() {
            work.run();
        }
    }

    /** A cast running since {@code nanos} (System.nanoTime). */
    private record Started(Cast cast, long nanos) {}

    private final String service;
    private final int threads;
    private final int capacity;
    private final Duration budget;
    private final ThreadPoolExecutor executor;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicLong averageNanos = new AtomicLong();
    /** Each cast running now, by its thread. */
    private final Map<Thread, Started> running = new ConcurrentHashMap<>();

    /**
     * @param threads threads running casts
     * @param capacity casts that may wait for a thread at most
     * @param budget the time the casts admitted may take to run: the grace period a stop gives them
     */
    CastQueue(String service, int threads, int capacity, Duration budget) {
        this.service = service;
        this.threads = threads;
        this.capacity = capacity;
        this.budget = budget;
        // Unbounded here because admit() bounds it, by count and by time, before anything is queued.
        this.executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "hotline-cast-" + service);
                    t.setDaemon(true);
                    return t;
                }) {
            @Override
            protected void beforeExecute(Thread t, Runnable r) {
                // Running first, so that admit() never sees a cast in neither count.
                running.put(t, new Started((Cast) r, System.nanoTime()));
                waiting.decrementAndGet();
            }

            @Override
            protected void afterExecute(Runnable r, Throwable thrown) {
                Started started = running.remove(Thread.currentThread());
                if (started != null) {
                    record(System.nanoTime() - started.nanos());
                }
            }
        };
    }

    /**
     * Queues {@code work} unless the queue is full, would take longer than the budget to run, or the server is
     * stopping.
     *
     * @return null if admitted, else why not (for a 503: nothing ran)
     */
    String admit(String method, String msgId, Runnable work) {
        long estimate = estimateNanos();
        int ahead;
        do {
            ahead = waiting.get();
            // A cast admitted waits for a thread only when none is idle: a burst arriving faster than the idle threads
            // take it must not be refused as if it were waiting. Counted with the casts running, admitted ones not yet
            // taken by their thread included, so the casts waiting for a thread stay within the capacity.
            if (ahead + running.size() >= threads + capacity) {
                return "the cast queue is full (" + capacity + " casts waiting for " + threads + " threads)";
            }
            // The casts running, those waiting and this one, spread over the threads.
            double drainNanos = (double) (ahead + 1 + running.size()) * estimate / threads;
            if (drainNanos > budget.toNanos()) {
                return "the " + (ahead + running.size()) + " casts ahead would take about "
                        + Duration.ofMillis((long) (drainNanos / 1e6)) + " to run (about "
                        + Duration.ofNanos(estimate).toMillis() + " ms each on " + threads
                        + " threads), more than the " + budget + " a stop gives them";
            }
        } while (!waiting.compareAndSet(ahead, ahead + 1));
        try {
            executor.execute(new Cast(method, msgId, work));
        } catch (RejectedExecutionException e) {
            // Draining for a stop: nothing was queued.
            waiting.decrementAndGet();
            return "the server is stopping";
        }
        return null;
    }

    /** Casts admitted and not started. */
    int waiting() {
        return waiting.get();
    }

    /** What a cast is believed to take now: the moving average, or the longest a running cast has run if longer. */
    private Duration estimate() {
        return Duration.ofNanos(estimateNanos());
    }

    private long estimateNanos() {
        long now = System.nanoTime();
        long longest = 0;
        for (Started s : running.values()) {
            longest = Math.max(longest, now - s.nanos());
        }
        return Math.max(averageNanos.get(), longest);
    }

    private void record(long nanos) {
        averageNanos.updateAndGet(avg -> avg == 0 ? nanos
                : (long) (avg + (nanos > avg ? RISE : FALL) * (nanos - avg)));
    }

    /**
     * Admits nothing more and runs every cast admitted: waits {@code grace} (what admission counted on), then, if casts
     * ran slower than estimated, logs how many remain and waits on until {@code limit} has passed in all. Casts still
     * not run then are stopped and each is logged by method and msg_id, never dropped silently.
     */
    void drain(Duration grace, Duration limit) {
        executor.shutdown();
        try {
            if (executor.awaitTermination(grace.toNanos(), TimeUnit.NANOSECONDS)) {
                return;
            }
            log.warn("{} casts of {} are still to run after the {} grace period: they ran slower than estimated when"
                    + " they were admitted (about {} each now); running them on, for up to {} in all"
                    + " (hotline.rpc.cast-drain-limit)", waiting.get() + running.size(), service, grace,
                    estimate().truncatedTo(ChronoUnit.MILLIS), limit);
            if (executor.awaitTermination(limit.minus(grace).toNanos(), TimeUnit.NANOSECONDS)) {
                log.info("the remaining casts of {} have run", service);
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Started> interrupted = List.copyOf(running.values());
        List<Runnable> dropped = executor.shutdownNow();
        log.error("stopping {} with {} accepted casts not run after {}, {} of them interrupted while running: raise"
                + " hotline.rpc.cast-drain-limit, or make the cast methods faster", service,
                dropped.size() + interrupted.size(), limit, interrupted.size());
        interrupted.forEach(s -> lost(s.cast(), "interrupted while running"));
        dropped.forEach(r -> lost((Cast) r, "not run"));
    }

    private void lost(Cast cast, String how) {
        log.error("cast {} of {} (msg_id {}) was accepted and {}", Untrusted.escape(cast.method()), service,
                Untrusted.escape(cast.msgId()), how);
    }
}

package io.hotline.benchmarks;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * Puts load on an {@link Operation}: a warm-up, then a measurement window, with the load running without a break
 * from one into the other. Every phase is bounded in time (warm-up + window, then at most one request timeout to
 * let the requests in flight finish) and in count ({@code maxRequests}).
 *
 * <p>Only requests that start and finish inside the window are counted and timed. Each phase starts with a full
 * garbage collection, so that no contender pays for the garbage of the phase before.
 */
final class LoadDriver {

    private final Duration warmup;
    private final Duration window;
    private final Duration requestTimeout;
    private final long maxRequests;

    LoadDriver(Duration warmup, Duration window, Duration requestTimeout, long maxRequests) {
        this.warmup = warmup;
        this.window = window;
        this.requestTimeout = requestTimeout;
        this.maxRequests = maxRequests;
    }

    /**
     * One request at a time from one thread that waits for each reply, as a service thread making a blocking call
     * does: the latency includes waking that thread.
     */
    Measurement latency(Operation operation, CpuMeter cpu) throws InterruptedException {
        System.gc();
        ConcurrentHistogram latencies = new ConcurrentHistogram(3);
        long from = System.nanoTime() + warmup.toNanos();
        long end = from + window.toNanos();
        long completed = 0;
        long failed = 0;
        String firstError = null;
        CpuTime cpuFrom = null;
        for (long sent = 0; sent < maxRequests; sent++) {
            long start = System.nanoTime();
            if (start - end >= 0) {
                break;
            }
            boolean measured = start - from >= 0;
            if (measured && cpuFrom == null) {
                cpuFrom = cpu.read();
            }
            try {
                operation.start().get(requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
                long stop = System.nanoTime();
                if (measured && stop - end < 0) {
                    latencies.recordValue(stop - start);
                    completed++;
                }
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                if (measured) {
                    failed++;
                    firstError = firstError != null ? firstError : describe(e);
                }
            }
        }
        CpuTime cpuTo = cpu.read();
        long stopped = System.nanoTime();
        // Ends early only at maxRequests.
        return new Measurement(completed, failed, seconds(from, stopped - end < 0 ? stopped : end), latencies,
                firstError, cpuFrom == null ? CpuTime.NONE : cpuTo.minus(cpuFrom));
    }

    /**
     * {@code inFlight} requests outstanding at all times: each completion sends the next, from the thread that
     * completed it, until the window ends.
     */
    Measurement throughput(Operation operation, int inFlight, CpuMeter cpu) throws InterruptedException {
        System.gc();
        Lanes lanes = new Lanes(operation, inFlight, cpu);
        for (int i = 0; i < inFlight; i++) {
            lanes.next();
        }
        Duration bound = warmup.plus(window).plus(requestTimeout).plusSeconds(5);
        if (!lanes.done.await(bound.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException(lanes.done.getCount() + " of " + inFlight + " request loops were still"
                    + " running " + bound + " after the start; a request outlived its timeout");
        }
        return new Measurement(lanes.completed.get(), lanes.failed.get(), seconds(lanes.from, lanes.end),
                lanes.latencies, lanes.firstError.get(),
                lanes.cpuFrom == null ? CpuTime.NONE : lanes.cpuTo.minus(lanes.cpuFrom));
    }

    private static double seconds(long from, long end) {
        return (end - from) / 1e9;
    }

    private static String describe(Throwable e) {
        Throwable cause = e;
        while ((cause instanceof ExecutionException || cause instanceof CompletionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.toString();
    }

    /** The state of one closed-loop throughput phase. */
    private final class Lanes {
        final Operation operation;
        final long from = System.nanoTime() + warmup.toNanos();
        final long end = from + window.toNanos();
        final ConcurrentHistogram latencies = new ConcurrentHistogram(3);
        final AtomicLong sent = new AtomicLong();
        final AtomicLong completed = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicReference<String> firstError = new AtomicReference<>();
        final CountDownLatch done;
        final CpuMeter cpu;
        /** Read by the first lane to send at or after the window's start, and the first to stop at its end. */
        final AtomicBoolean cpuStarted = new AtomicBoolean();
        final AtomicBoolean cpuEnded = new AtomicBoolean();
        volatile CpuTime cpuFrom;
        volatile CpuTime cpuTo;

        Lanes(Operation operation, int inFlight, CpuMeter cpu) {
            this.operation = operation;
            this.done = new CountDownLatch(inFlight);
            this.cpu = cpu;
        }

        /** Sends this lane's next request, or ends the lane; loops instead of recursing when one fails at once. */
        void next() {
            while (true) {
                long start = System.nanoTime();
                if (start - end >= 0 || sent.incrementAndGet() > maxRequests) {
                    if (cpuEnded.compareAndSet(false, true)) {
                        cpuTo = cpu.read();
                    }
                    done.countDown();
                    return;
                }
                if (start - from >= 0 && cpuStarted.compareAndSet(false, true)) {
                    cpuFrom = cpu.read();
                }
                CompletableFuture<?> f;
                try {
                    f = operation.start();
                } catch (RuntimeException e) {
                    f = CompletableFuture.failedFuture(e);
                }
                if (!f.isDone()) {
                    f.whenComplete((r, e) -> {
                        record(start, e);
                        next();
                    });
                    return;
                }
                record(start, f.isCompletedExceptionally() ? f.handle((r, e) -> e).join() : null);
            }
        }

        private void record(long start, Throwable failure) {
            long stop = System.nanoTime();
            if (start - from < 0 || stop - end >= 0) {
                return;
            }
            if (failure == null) {
                latencies.recordValue(stop - start);
                completed.incrementAndGet();
            } else {
                failed.incrementAndGet();
                firstError.compareAndSet(null, describe(failure));
            }
        }
    }
}

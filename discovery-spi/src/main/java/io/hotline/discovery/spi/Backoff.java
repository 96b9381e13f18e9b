package io.hotline.discovery.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * How long to wait before each retry of something that keeps failing: {@code initial} before the first retry,
 * {@code multiplier} times longer before each further one, never more than {@code max}; then shortened at random by
 * up to {@code jitter} of itself, so that many clients that failed together (a store restarting) do not all retry
 * together. With a jitter of 0.5 (what AWS calls "equal jitter") a delay of 200 ms becomes one between 100 and
 * 200 ms.
 *
 * <p>The value is immutable and holds no count: each loop counts its own attempts, and resets its count once it
 * succeeds.
 *
 * <pre>{@code
 * Backoff backoff = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(10)).withJitter(0.5);
 * for (int attempt = 1; ; attempt++) {
 *     try {
 *         return store.list(service, zone);
 *     } catch (StoreUnavailableException e) {
 *         // 50-100 ms, then 100-200 ms, 200-400 ms, ... up to 5-10 s
 *         Thread.sleep(backoff.delay(attempt).toMillis());
 *     }
 * }
 * }</pre>
 *
 * @param initial the delay before the first retry, before jitter; positive
 * @param max the longest delay, before jitter; at least {@code initial}
 * @param multiplier how much longer each delay is than the one before; at least 1
 * @param jitter the largest part of a delay taken off at random, from 0 (none: delays are exact) to 1
 */
public record Backoff(Duration initial, Duration max, double multiplier, double jitter) {

    /** @throws IllegalArgumentException if a parameter is out of the ranges above */
    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + " and " + max);
        }
        try {
            max.toNanos();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("backoff max " + max + " is longer than 292 years", e);
        }
        if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("backoff multiplier must be a number of at least 1, got " + multiplier);
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("backoff jitter must be between 0 and 1, got " + jitter);
        }
    }

    /** Doubling from {@code initial} to {@code max}, without jitter. */
    public static Backoff exponential(Duration initial, Duration max) {
        return new Backoff(initial, max, 2, 0);
    }

    /** This backoff with each delay {@code multiplier} times the one before. */
    public Backoff withMultiplier(double multiplier) {
        return new Backoff(initial, max, multiplier, jitter);
    }

    /** This backoff with up to {@code jitter} of each delay taken off at random. */
    public Backoff withJitter(double jitter) {
        return new Backoff(initial, max, multiplier, jitter);
    }

    /**
     * The delay before retry number {@code attempt}, jittered with {@link ThreadLocalRandom}.
     *
     * @param attempt 1 for the first retry after a failure, 2 for the next, and so on; any count past the one that
     *     reaches {@code max} gives {@code max}
     */
    public Duration delay(int attempt) {
        return delay(attempt, ThreadLocalRandom.current());
    }

    /** As {@link #delay(int)}, with the jitter drawn from {@code random}. */
    public Duration delay(int attempt, RandomGenerator random) {
        double ceiling = ceilingNanos(attempt);
        if (jitter == 0) {
            return Duration.ofNanos((long) ceiling);
        }
        return Duration.ofNanos((long) (ceiling * (1 - jitter * random.nextDouble())));
    }

    /** The delay before retry number {@code attempt} without jitter: the longest {@link #delay} can be. */
    public Duration ceiling(int attempt) {
        return Duration.ofNanos((long) ceilingNanos(attempt));
    }

    private double ceilingNanos(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempts count from 1, got " + attempt);
        }
        // In doubles, so that a long run of failures overflows to infinity, which the cap turns into max.
        double grown = initial.toNanos() * Math.pow(multiplier, attempt - 1);
        return Math.min(grown, max.toNanos());
    }
}

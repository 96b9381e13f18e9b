package io.hotline.benchmarks;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.Zone;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.Watch;
import io.hotline.discovery.spi.WatchListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntConsumer;
import java.util.function.Predicate;

/**
 * What the store benchmarks do to a store through the SPI, timed in milliseconds: register or deregister many
 * endpoints from several threads, read a service keeping its passing endpoints as a directory does, and wait for a
 * watch to show one more registration.
 *
 * <pre>{@code
 * double ms = StoreWorkload.inParallel(16, 10_000,
 *         i -> store.register(StoreWorkload.endpoint("bench", zone, i), policy), Duration.ofMinutes(5));
 * double read = StoreWorkload.healthyRead(store, "bench", zone, 10_000);
 * }</pre>
 */
final class StoreWorkload {

    private StoreWorkload() {}

    /**
     * Endpoint {@code n} of {@code service}: id {@code e<n>}, an IPv4 host, a port and three metadata entries, about
     * what a Nova compute node registers.
     */
    static Endpoint endpoint(String service, Zone zone, int n) {
        return Endpoint.builder(service).id("e" + n).server("host-" + n).host("10.0." + (n / 250) + "." + (n % 250 + 1))
                .port(20000 + n % 1000).zone(zone).metadata("free_disk_gb", Integer.toString(n % 500))
                .metadata("hypervisor", "kvm").metadata("aggregate", "agg-" + n % 8).build();
    }

    /**
     * Runs {@code action} for 0 to {@code count - 1}, split over {@code threads} threads (thread t takes t,
     * t + threads, ...), and returns how many milliseconds that took.
     *
     * @throws TimeoutException if it is not done within {@code limit}
     */
    static double inParallel(int threads, int count, IntConsumer action, Duration limit) throws InterruptedException,
            TimeoutException {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            long deadline = start + limit.toNanos();
            List<Future<?>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                parts.add(pool.submit(() -> {
                    for (int i = first; i < count; i += threads) {
                        action.accept(i);
                    }
                }));
            }
            for (Future<?> part : parts) {
                try {
                    part.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            }
            return (System.nanoTime() - start) / 1e6;
        } catch (TimeoutException e) {
            throw new TimeoutException(count + " operations on " + threads + " threads did not finish within " + limit);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Milliseconds for one full read of {@code service}, keeping the passing endpoints.
     *
     * @throws IllegalStateException if the read does not find exactly {@code expected} passing endpoints
     */
    static double healthyRead(EndpointStore store, String service, Zone zone, int expected) {
        long start = System.nanoTime();
        List<EndpointStatus> all = store.list(service, zone);
        long passing = all.stream().filter(EndpointStatus::isPassing).count();
        double ms = (System.nanoTime() - start) / 1e6;
        if (passing != expected) {
            throw new IllegalStateException(store + " read " + passing + " passing endpoints of " + service
                    + " instead of " + expected);
        }
        return ms;
    }

    /**
     * For each of {@code samples} endpoints beyond the {@code existing} ones of {@code service}: milliseconds from
     * calling {@code register} on {@code writer} until a watch on {@code reader} delivers a snapshot holding it. Each
     * is deregistered, and seen gone, before the next.
     *
     * @param stagger before each registration, a random pause shorter than this (zero for none): a watch that polls
     *     sees the deregistration at one of its polls, so a registration right after it would always wait a whole
     *     interval; a pause as long as the interval puts registrations anywhere between two polls, as they come
     */
    static List<Double> watchDelays(EndpointStore writer, EndpointStore reader, String service, Zone zone, int existing,
            int samples, HealthPolicy policy, Duration stagger, Duration limit) throws InterruptedException,
            TimeoutException {
        Latest latest = new Latest(limit);
        List<Double> delays = new ArrayList<>();
        try (Watch w = reader.watch(service, zone, latest)) {
            latest.await(s -> s.size() == existing);
            for (int i = 0; i < samples; i++) {
                Endpoint e = endpoint(service, zone, existing + i);
                if (stagger.compareTo(Duration.ZERO) > 0) {
                    TimeUnit.NANOSECONDS.sleep(ThreadLocalRandom.current().nextLong(stagger.toNanos()));
                }
                long start = System.nanoTime();
                writer.register(e, policy);
                long seen = latest.await(s -> s.stream().anyMatch(st -> st.endpoint().id().equals(e.id())));
                delays.add((seen - start) / 1e6);
                writer.deregister(service, e.id());
                latest.await(s -> s.size() == existing);
            }
        }
        return delays;
    }

    /** The latest snapshot of a watch and when it arrived, for the benchmark thread to wait on. */
    private static final class Latest implements WatchListener {
        private final Duration limit;
        private List<EndpointStatus> snapshot;
        private long arrivedAt;
        private StoreException error;

        Latest(Duration limit) {
            this.limit = limit;
        }

        @Override
        public synchronized void onSnapshot(List<EndpointStatus> endpoints) {
            snapshot = endpoints;
            arrivedAt = System.nanoTime();
            notifyAll();
        }

        @Override
        public synchronized void onError(StoreException e) {
            error = e;
            notifyAll();
        }

        /** Waits for a snapshot meeting {@code condition} and returns the {@code nanoTime} it arrived at. */
        synchronized long await(Predicate<List<EndpointStatus>> condition) throws InterruptedException,
                TimeoutException {
            long deadline = System.nanoTime() + limit.toNanos();
            while (snapshot == null || !condition.test(snapshot)) {
                if (error != null) {
                    throw error;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("the watch did not show the expected state within " + limit);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return arrivedAt;
        }
    }
}

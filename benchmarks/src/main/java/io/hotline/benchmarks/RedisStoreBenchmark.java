package io.hotline.benchmarks;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.Watch;
import io.hotline.discovery.spi.WatchListener;
import io.hotline.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * The {@code redis} store's costs against a private {@code redis-server} on loopback, through the SPI as Hotline
 * uses it: registering 10,000 endpoints, a full read of a 10,000-endpoint service with decoding and health (what a
 * watch and the directory do on every change: by a new store, which decodes every record, and again, when the store
 * reuses what it decoded from records that did not change), and how long a registration takes to reach a watcher. Prints the
 * median, lowest and highest of the measured rounds after a warm-up round, and the goals with PASS or MISS.
 *
 * <pre>
 * mvn -q -B -pl benchmarks -am package -DskipTests
 * java -cp benchmarks/target/benchmarks.jar io.hotline.benchmarks.RedisStoreBenchmark [rounds]
 * </pre>
 */
public final class RedisStoreBenchmark {

    private static final int ENDPOINTS = 10_000;
    private static final int WRITERS = 16;
    private static final int READS_PER_ROUND = 10;
    private static final int COLD_READS_PER_ROUND = 3;
    private static final int WATCH_SAMPLES = 20;
    private static final Zone ZONE = Zone.of("region-one/az-1");
    private static final HealthPolicy POLICY = HealthPolicy.of(Duration.ofSeconds(10), Duration.ofMinutes(10),
            Duration.ofMinutes(30));
    private static final Duration WAIT = Duration.ofSeconds(30);

    private RedisStoreBenchmark() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        if (rounds < 1 || rounds > 100) {
            throw new IllegalArgumentException("rounds " + rounds + " must be 1-100");
        }
        List<Double> register = new ArrayList<>();
        List<Double> read = new ArrayList<>();
        List<Double> coldRead = new ArrayList<>();
        List<Double> watchSmall = new ArrayList<>();
        List<Double> watchLarge = new ArrayList<>();
        try (RedisServer redis = RedisServer.builder().name("redis-benchmark").start();
                EndpointStore writer = open(redis);
                EndpointStore reader = open(redis)) {
            for (int round = 0; round <= rounds; round++) {
                boolean measured = round > 0;
                String service = "bench.r" + round;
                double reg = registerAll(writer, service);
                List<Double> colds = new ArrayList<>();
                for (int i = 0; i < COLD_READS_PER_ROUND; i++) {
                    try (EndpointStore fresh = open(redis)) {
                        colds.add(healthyRead(fresh, service));
                    }
                }
                List<Double> reads = new ArrayList<>();
                healthyRead(reader, service);
                for (int i = 0; i < READS_PER_ROUND; i++) {
                    reads.add(healthyRead(reader, service));
                }
                double small = watchDelay(writer, reader, "bench.small" + round, 0);
                double large = watchDelay(writer, reader, service, ENDPOINTS);
                System.err.printf(Locale.ROOT, "round %d%s: register %.1f ms, read %.1f (first %.1f) ms, watch %.2f / %.1f"
                        + " ms%n", round, measured ? "" : " (warm-up)", reg, median(reads), median(colds), small, large);
                if (measured) {
                    register.add(reg);
                    read.addAll(reads);
                    coldRead.addAll(colds);
                    watchSmall.add(small);
                    watchLarge.add(large);
                }
            }
        }
        System.out.printf(Locale.ROOT, "# redis store, %d rounds after a warm-up, redis-server on loopback%n%n", rounds);
        System.out.println("| measurement | median | lowest | highest | goal |");
        System.out.println("|---|---|---|---|---|");
        row("register 10,000 endpoints (" + WRITERS + " threads), ms", register, 500);
        row("read all healthy endpoints of a 10,000-endpoint service, first read of a new store (all decoded), ms",
                coldRead, 50);
        row("the same, read again (unchanged records not decoded again), ms", read, 50);
        row("watch propagation, register to snapshot, service of 1, ms", watchSmall, Double.NaN);
        row("watch propagation, register to snapshot, service of 10,001, ms", watchLarge, Double.NaN);
    }

    private static EndpointStore open(RedisServer redis) {
        return StoreProviders.load().open(HotlineConfig.of(Map.of("hotline.store", "redis",
                "hotline.zone", ZONE.path(), "hotline.redis.nodes", redis.address())));
    }

    private static Endpoint endpoint(String service, int n) {
        return Endpoint.builder(service).id("e" + n).server("host-" + n).host("10.0." + (n / 250) + "." + (n % 250 + 1))
                .port(20000 + n % 1000).zone(ZONE).metadata("free_disk_gb", Integer.toString(n % 500))
                .metadata("hypervisor", "kvm").build();
    }

    /** Milliseconds to register every endpoint of a new service from {@link #WRITERS} threads. */
    private static double registerAll(EndpointStore store, String service) throws Exception {
        List<Endpoint> endpoints = new ArrayList<>(ENDPOINTS);
        for (int i = 0; i < ENDPOINTS; i++) {
            endpoints.add(endpoint(service, i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try {
            long start = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < WRITERS; t++) {
                int from = t;
                done.add(pool.submit(() -> {
                    for (int i = from; i < ENDPOINTS; i += WRITERS) {
                        store.register(endpoints.get(i), POLICY);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            return (System.nanoTime() - start) / 1e6;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Milliseconds for one full read, keeping the passing endpoints as a directory does. */
    private static double healthyRead(EndpointStore store, String service) {
        long start = System.nanoTime();
        List<EndpointStatus> all = store.list(service, ZONE);
        long passing = all.stream().filter(EndpointStatus::isPassing).count();
        double ms = (System.nanoTime() - start) / 1e6;
        if (passing != ENDPOINTS) {
            throw new IllegalStateException("read " + passing + " passing endpoints of " + service + " instead of "
                    + ENDPOINTS);
        }
        return ms;
    }

    /** Median milliseconds from the start of a register to a watcher's snapshot showing it. */
    private static double watchDelay(EndpointStore writer, EndpointStore reader, String service, int existing)
            throws Exception {
        Latest latest = new Latest();
        List<Double> samples = new ArrayList<>();
        try (Watch w = reader.watch(service, ZONE, latest)) {
            latest.await(s -> s.size() == existing);
            for (int i = 0; i < WATCH_SAMPLES; i++) {
                Endpoint e = endpoint(service, ENDPOINTS + i);
                long start = System.nanoTime();
                writer.register(e, POLICY);
                latest.await(s -> s.stream().anyMatch(st -> st.endpoint().id().equals(e.id())));
                samples.add((System.nanoTime() - start) / 1e6);
                writer.deregister(service, e.id());
                latest.await(s -> s.size() == existing);
            }
        }
        return median(samples);
    }

    /** The latest snapshot of a watch, for the benchmark thread to wait on. */
    private static final class Latest implements WatchListener {
        private List<EndpointStatus> snapshot;
        private StoreException error;

        @Override
        public synchronized void onSnapshot(List<EndpointStatus> endpoints) {
            snapshot = endpoints;
            notifyAll();
        }

        @Override
        public synchronized void onError(StoreException e) {
            error = e;
            notifyAll();
        }

        synchronized void await(Predicate<List<EndpointStatus>> condition) throws InterruptedException,
                TimeoutException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (snapshot == null || !condition.test(snapshot)) {
                if (error != null) {
                    throw error;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("the watch did not show the expected state within " + WAIT);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static void row(String name, List<Double> values, double goal) {
        double median = median(values);
        String verdict = Double.isNaN(goal) ? "-" : String.format(Locale.ROOT, "< %.0f: %s", goal,
                median < goal ? "PASS" : "MISS");
        System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %s |%n", name, median, Collections.min(values),
                Collections.max(values), verdict);
    }
}

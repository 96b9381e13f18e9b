package io.hotline.benchmarks;

import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code redis} store's costs against a private {@code redis-server} on loopback, through the SPI as Hotline
 * uses it: registering 10,000 endpoints, a full read of a 10,000-endpoint service with decoding and health (what a
 * watch and the directory do on every change: by a new store, which decodes every record, and again, when the store
 * reuses what it decoded from records that did not change), and how long a registration takes to reach a watcher. Prints the
 * median, lowest and highest of the measured rounds after a warm-up round, and the goals with PASS or MISS.
 * {@link DnsStoreBenchmark} measures the same beside the dns and consul stores.
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
                double reg = StoreWorkload.inParallel(WRITERS, ENDPOINTS,
                        i -> writer.register(StoreWorkload.endpoint(service, ZONE, i), POLICY), WAIT);
                List<Double> colds = new ArrayList<>();
                for (int i = 0; i < COLD_READS_PER_ROUND; i++) {
                    try (EndpointStore fresh = open(redis)) {
                        colds.add(StoreWorkload.healthyRead(fresh, service, ZONE, ENDPOINTS));
                    }
                }
                List<Double> reads = new ArrayList<>();
                StoreWorkload.healthyRead(reader, service, ZONE, ENDPOINTS);
                for (int i = 0; i < READS_PER_ROUND; i++) {
                    reads.add(StoreWorkload.healthyRead(reader, service, ZONE, ENDPOINTS));
                }
                double small = Spread.of(StoreWorkload.watchDelays(writer, reader, "bench.small" + round, ZONE, 0,
                        WATCH_SAMPLES, POLICY, Duration.ZERO, WAIT)).median();
                double large = Spread.of(StoreWorkload.watchDelays(writer, reader, service, ZONE, ENDPOINTS,
                        WATCH_SAMPLES, POLICY, Duration.ZERO, WAIT)).median();
                System.err.printf(Locale.ROOT, "round %d%s: register %.1f ms, read %.1f (first %.1f) ms, watch %.2f / %.1f"
                        + " ms%n", round, measured ? "" : " (warm-up)", reg, Spread.of(reads).median(),
                        Spread.of(colds).median(), small, large);
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

    private static void row(String name, List<Double> values, double goal) {
        Spread s = Spread.of(values);
        String verdict = Double.isNaN(goal) ? "-" : String.format(Locale.ROOT, "< %.0f: %s", goal,
                s.median() < goal ? "PASS" : "MISS");
        System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %s |%n", name, s.median(), s.lowest(), s.highest(),
                verdict);
    }
}

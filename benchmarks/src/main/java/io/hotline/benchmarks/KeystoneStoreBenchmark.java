package io.hotline.benchmarks;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Heartbeater;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.testing.Closer;
import io.hotline.testing.KeystoneServer;
import io.hotline.testing.RedisServer;
import java.io.PrintStream;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code keystone} store against a private Keystone (Debian's, one uWSGI process as the issue asks: "one Keystone
 * process"), side by side in one run with the {@code redis} store on a private {@code redis-server}, both opened
 * through the SPI. Per store, after a warm-up round, the median, lowest and highest of the rounds of: registering
 * 1,000 endpoints from 8 threads, a healthy read of the 1,000 by a new store and again by one that read them before,
 * watch propagation in that service, deregistering them. Then, once, the renewal capacity:
 *
 * <ul>
 *   <li>the renewal rate the store sustains: 8 threads renewing 200 registrations back to back for 15 s, with the
 *       server's CPU per renewal;
 *   <li>the most endpoints it keeps renewed at a 10 s and a 60 s report interval: rate x interval x 0.8, then x 1.0
 *       and x 1.2 (x 0.8 and x 1.0 at 60 s), stopping at the first that does not keep up, endpoints are registered
 *       and kept alive by 16 {@link Heartbeater}s (the code path every server uses; +-10% jitter, the next renewal
 *       scheduled an interval after the last one ended) for three intervals (two at 60 s) after the last
 *       registration, with down-after three intervals. Kept up means no renewal failed, no endpoint missed a round
 *       (no gap between two of its renewals reached two intervals), and every listing taken each second meanwhile
 *       showed all of them passing. The renewal gaps show how far past the interval the store's latency pushed them.
 * </ul>
 *
 * <p>Redis renews far faster than any fleet this machine can run, so it is checked at the keystone figures and its
 * rate only is given beside them.
 *
 * <pre>
 * benchmarks/run-keystone-store             # 2 rounds after a warm-up, then the capacity runs: about 25 minutes
 * benchmarks/run-keystone-store 1 10s      # 1 round, the 10 s capacity only
 * </pre>
 */
public final class KeystoneStoreBenchmark {

    private static final String KEYSTONE = "keystone";
    private static final String REDIS = "redis";
    private static final Zone ZONE = StoreServers.ZONE;
    private static final int SIZE = 1_000;
    private static final int WRITERS = 8;
    private static final int COLD_READS = 2;
    private static final int WARM_READS = 5;
    private static final int WATCH_SAMPLES = 5;
    /** The store's default poll interval: the watch row measures what a user gets. */
    private static final Duration POLL = Duration.ofSeconds(2);
    private static final HealthPolicy LONG = HealthPolicy.of(Duration.ofSeconds(10), Duration.ofMinutes(10),
            Duration.ofMinutes(30));
    private static final int RATE_ENDPOINTS = 200;
    private static final Duration RATE_FOR = Duration.ofSeconds(15);
    private static final int HEARTBEATERS = 16;
    /** The fleets tried, as fractions of back-to-back rate x interval; at 60 s the first two only. */
    private static final List<Double> FILLS = List.of(0.8, 1.0, 1.2);
    private static final Duration LIMIT = Duration.ofMinutes(10);

    private enum Row {
        REGISTER("register 1,000 endpoints, 8 threads, ms"),
        REGISTER_SERVER_CPU("CPU of the server per registration, ms"),
        COLD_READ("healthy read of 1,000 by a new store, ms"),
        WARM_READ("healthy read of 1,000 again by the same store, ms"),
        WATCH("watch propagation in a 1,000-endpoint service, register to snapshot, ms (keystone: poll-interval "
                + POLL.toSeconds() + " s, its default)"),
        DEREGISTER("deregister the 1,000, 8 threads, ms");

        final String label;

        Row(String label) {
            this.label = label;
        }
    }

    /** One capacity try: how many endpoints at which interval, and what happened. */
    private record Capacity(String store, Duration interval, int endpoints, boolean keptUp, int failedRenewals,
            Spread gapSeconds, int renewals, long leastPassing, double serverCpuPerRenewalMs) {}

    private record Store(String name, Map<String, String> config, long serverPid) {
        EndpointStore open() {
            return StoreProviders.load().open(HotlineConfig.of(config));
        }
    }

    private final PrintStream progress = System.err;
    private final Map<String, Map<Row, List<Double>>> results = new LinkedHashMap<>();
    private final Map<String, double[]> rates = new LinkedHashMap<>();
    private final List<Capacity> capacities = new ArrayList<>();
    private final int rounds;
    private final List<Duration> intervals;

    private KeystoneStoreBenchmark(int rounds, List<Duration> intervals) {
        this.rounds = rounds;
        this.intervals = intervals;
    }

    /**
     * @param args the number of measured rounds (2 unless given, 1-20), then optionally the report intervals whose
     *     capacity to measure, comma-separated ({@code 10s,60s} unless given)
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        if (rounds < 1 || rounds > 20) {
            throw new IllegalArgumentException("rounds " + rounds + " must be 1-20");
        }
        List<Duration> intervals = new ArrayList<>();
        for (String s : (args.length > 1 ? args[1] : "10s,60s").split(",")) {
            if (!s.matches("[1-9][0-9]{0,2}s")) {
                throw new IllegalArgumentException("report interval '" + s + "' must be whole seconds, e.g. 10s");
            }
            intervals.add(Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1))));
        }
        new KeystoneStoreBenchmark(rounds, intervals).run(args);
    }

    private void run(String[] args) throws Exception {
        String startedAt = OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        double loadBefore = Machine.loadAverage();
        long started = System.nanoTime();
        try (Closer servers = new Closer()) {
            progress.println("starting keystone and redis-server on loopback...");
            KeystoneServer keystone = servers.track(StoreServers.keystone("keystone-benchmark"));
            RedisServer redis = servers.track(RedisServer.builder().name("redis-benchmark").start());
            List<Store> stores = List.of(
                    new Store(KEYSTONE, keystoneConfig(keystone), keystone.process().pid()),
                    new Store(REDIS, Map.of("hotline.store", REDIS, "hotline.zone", ZONE.path(),
                            "hotline.redis.nodes", redis.address()), redis.process().pid()));
            stores.forEach(s -> results.put(s.name(), new EnumMap<>(Row.class)));
            for (int round = 0; round <= rounds; round++) {
                for (Store s : stores) {
                    measureRound(s, round);
                }
            }
            for (Store s : stores) {
                rates.put(s.name(), renewalRate(s));
            }
            for (Duration interval : intervals) {
                List<Double> fills = interval.toSeconds() >= 60 ? FILLS.subList(0, 2) : FILLS;
                int most = 0;
                for (int t = 0; t < fills.size(); t++) {
                    int endpoints = (int) (fills.get(t) * rates.get(KEYSTONE)[0] * interval.toSeconds());
                    Capacity c = capacity(stores.get(0), interval, endpoints, "cap" + interval.toSeconds() + "t" + t);
                    capacities.add(c);
                    if (!c.keptUp()) {
                        break;
                    }
                    most = endpoints;
                }
                if (most > 0) {
                    capacities.add(capacity(stores.get(1), interval, most, "cap" + interval.toSeconds()));
                }
            }
            print(System.out, keystone, startedAt, loadBefore, args);
        }
        progress.printf(Locale.ROOT, "done in %.0f s (servers stopped)%n", (System.nanoTime() - started) / 1e9);
    }

    private static Map<String, String> keystoneConfig(KeystoneServer keystone) {
        Map<String, String> config = new HashMap<>(StoreServers.keystone(keystone));
        config.put("hotline.keystone.poll-interval", POLL.toSeconds() + "s");
        return Map.copyOf(config);
    }

    private void measureRound(Store s, int round) throws Exception {
        String service = "bench.r" + round;
        Map<Row, List<Double>> m = new EnumMap<>(Row.class);
        try (EndpointStore writer = s.open(); EndpointStore reader = s.open()) {
            double cpu = ProcessUsage.cpuSeconds(List.of(s.serverPid()));
            m.put(Row.REGISTER, List.of(StoreWorkload.inParallel(WRITERS, SIZE,
                    i -> writer.register(StoreWorkload.endpoint(service, ZONE, i), LONG), LIMIT)));
            m.put(Row.REGISTER_SERVER_CPU, List.of((ProcessUsage.cpuSeconds(List.of(s.serverPid())) - cpu) * 1e3
                    / SIZE));
            List<Double> cold = new ArrayList<>();
            for (int i = 0; i < COLD_READS; i++) {
                try (EndpointStore fresh = s.open()) {
                    cold.add(StoreWorkload.healthyRead(fresh, service, ZONE, SIZE));
                }
            }
            m.put(Row.COLD_READ, cold);
            StoreWorkload.healthyRead(reader, service, ZONE, SIZE);
            List<Double> warm = new ArrayList<>();
            for (int i = 0; i < WARM_READS; i++) {
                warm.add(StoreWorkload.healthyRead(reader, service, ZONE, SIZE));
            }
            m.put(Row.WARM_READ, warm);
            m.put(Row.WATCH, StoreWorkload.watchDelays(writer, reader, service, ZONE, SIZE, WATCH_SAMPLES, LONG, POLL,
                    LIMIT));
            m.put(Row.DEREGISTER, List.of(StoreWorkload.inParallel(WRITERS, SIZE,
                    i -> writer.deregister(service, "e" + i), LIMIT)));
        }
        StringBuilder line = new StringBuilder();
        m.forEach((row, values) -> line.append(row.name().toLowerCase(Locale.ROOT)).append(' ')
                .append(Spread.of(values).text()).append("; "));
        progress.printf("round %d%s %-8s %s%n", round, round == 0 ? " (warm-up)" : "", s.name(), line);
        if (round > 0) {
            m.forEach((row, values) -> results.get(s.name()).computeIfAbsent(row, r -> new ArrayList<>())
                    .addAll(values));
        }
    }

    /** Renewals per second from 8 threads renewing back to back, and the server's CPU per renewal in ms. */
    private double[] renewalRate(Store s) throws Exception {
        String service = "bench.rate";
        try (EndpointStore store = s.open()) {
            StoreWorkload.inParallel(WRITERS, RATE_ENDPOINTS,
                    i -> store.register(StoreWorkload.endpoint(service, ZONE, i), LONG), LIMIT);
            AtomicLong renewals = new AtomicLong();
            long end = System.nanoTime() + RATE_FOR.toNanos();
            double cpu = ProcessUsage.cpuSeconds(List.of(s.serverPid()));
            long start = System.nanoTime();
            StoreWorkload.inParallel(WRITERS, WRITERS, t -> {
                for (int i = t; System.nanoTime() < end; i = (i + WRITERS) % RATE_ENDPOINTS) {
                    store.renew(service, "e" + i);
                    renewals.incrementAndGet();
                }
            }, LIMIT);
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpuMs = (ProcessUsage.cpuSeconds(List.of(s.serverPid())) - cpu) * 1e3 / renewals.get();
            StoreWorkload.inParallel(WRITERS, RATE_ENDPOINTS, i -> store.deregister(service, "e" + i), LIMIT);
            double rate = renewals.get() / seconds;
            progress.printf(Locale.ROOT, "%s renews %.0f/s back to back (server CPU %.2f ms each)%n", s.name(), rate,
                    cpuMs);
            return new double[] {rate, cpuMs};
        }
    }

    /**
     * Registers {@code endpoints} through {@value #HEARTBEATERS} heartbeaters at {@code interval}, lets them renew for
     * three intervals (two from 60 s on) after the last registration, and judges whether the store kept up.
     */
    private Capacity capacity(Store s, Duration interval, int endpoints, String service) throws Exception {
        progress.printf(Locale.ROOT, "%s: %,d endpoints renewed every %d s...%n", s.name(), endpoints,
                interval.toSeconds());
        HealthPolicy policy = HealthPolicy.of(interval, interval.multipliedBy(3), interval.multipliedBy(6));
        List<Double> gaps = Collections.synchronizedList(new ArrayList<>());
        AtomicLong failed = new AtomicLong();
        Map<String, Long> last = new ConcurrentHashMap<>();
        AtomicBoolean measuring = new AtomicBoolean();
        long leastPassing = Long.MAX_VALUE;
        double cpuPerRenewal;
        try (EndpointStore real = s.open(); EndpointStore reader = s.open()) {
            EndpointStore store = new RecordingStore(real, new RecordingStore.Listener() {
                @Override
                public void renewed(String id, long nanos) {
                    long now = System.nanoTime();
                    Long before = last.put(id, now);
                    if (before != null && measuring.get()) {
                        gaps.add((now - before) / 1e9);
                    }
                }

                @Override
                public void renewFailed(String id, RuntimeException e) {
                    failed.incrementAndGet();
                }
            });
            List<Heartbeater> heartbeaters = new ArrayList<>();
            try {
                for (int h = 0; h < HEARTBEATERS; h++) {
                    heartbeaters.add(Heartbeater.start(store));
                }
                StoreWorkload.inParallel(HEARTBEATERS, endpoints, i -> {
                    Endpoint e = StoreWorkload.endpoint(service, ZONE, i);
                    last.put(e.id(), System.nanoTime());
                    heartbeaters.get(i % HEARTBEATERS).register(e, policy);
                }, LIMIT);
                measuring.set(true);
                failed.set(0);
                double cpu = ProcessUsage.cpuSeconds(List.of(s.serverPid()));
                int before = gaps.size();
                long end = System.nanoTime() + interval.multipliedBy(interval.toSeconds() >= 60 ? 2 : 3).toNanos();
                while (System.nanoTime() < end) {
                    long passing = reader.list(service, ZONE).stream().filter(EndpointStatus::isPassing).count();
                    leastPassing = Math.min(leastPassing, passing);
                    TimeUnit.SECONDS.sleep(1);
                }
                int renewals = Math.max(1, gaps.size() - before);
                cpuPerRenewal = (ProcessUsage.cpuSeconds(List.of(s.serverPid())) - cpu) * 1e3 / renewals;
            } finally {
                measuring.set(false);
                for (Heartbeater h : heartbeaters) {
                    h.close();
                }
            }
        }
        Spread gap = gaps.isEmpty() ? new Spread(0, 0, 0) : Spread.of(new ArrayList<>(gaps));
        boolean keptUp = failed.get() == 0 && !gaps.isEmpty() && gap.highest() < 2.0 * interval.toSeconds()
                && leastPassing == endpoints;
        Capacity c = new Capacity(s.name(), interval, endpoints, keptUp, (int) failed.get(), gap, gaps.size(),
                leastPassing, cpuPerRenewal);
        progress.printf(Locale.ROOT, "  %s: gap %s s, %d renewals, %d failed, least passing %d: %s%n", s.name(),
                gap.text(), gaps.size(), failed.get(), leastPassing, keptUp ? "kept up" : "fell behind");
        return c;
    }

    private void print(PrintStream out, KeystoneServer keystone, String startedAt, double loadBefore, String[] args) {
        out.println("# The keystone store beside the redis store");
        out.println();
        out.println("- command: `benchmarks/run-keystone-store" + (args.length == 0 ? "" : " "
                + String.join(" ", args)) + "`");
        out.printf(Locale.ROOT, "- started %s on %s; load average (1 min) %.2f at the start, %.2f at the end: "
                + "anything above 0 is load this run did not make%n", startedAt, Machine.description(), loadBefore,
                Machine.loadAverage());
        out.println("- keystone: Debian's Keystone 22 under uWSGI, one process with one thread, sqlite (WAL), "
                + "in-memory cache, fernet tokens (" + keystone + "); the store with hotline.keystone.poll-interval="
                + POLL.toSeconds() + "s, the other keys at their defaults");
        out.println("- redis: redis-server on loopback; the store with its defaults");
        out.printf("- %d measured rounds after a warm-up round; each cell is the median (lowest-highest) of the "
                + "rounds' samples: one per round for registering, %d cold and %d warm reads, %d watch samples%n",
                rounds, COLD_READS, WARM_READS, WATCH_SAMPLES);
        out.println();
        out.println("| measurement | keystone | redis |");
        out.println("|---|---:|---:|");
        for (Row row : Row.values()) {
            out.print("| " + row.label + " |");
            for (String store : results.keySet()) {
                List<Double> values = results.get(store).get(row);
                out.print(" " + (values == null ? "-" : Spread.of(values).text()) + " |");
            }
            out.println();
        }
        out.print("| renewals per second, " + WRITERS + " threads back to back (server CPU per renewal, ms) |");
        for (String store : results.keySet()) {
            out.printf(Locale.ROOT, " %s (%s) |", Report.number(rates.get(store)[0]),
                    Report.number(rates.get(store)[1]));
        }
        out.println();
        out.println();
        out.println("## Renewal capacity");
        out.println();
        out.printf(Locale.ROOT, "Endpoints registered through %d heartbeaters (+-10%% jitter; the next renewal an "
                + "interval after the last ended) with report interval T, down-after 3T, deregister-after 6T, renewed "
                + "for 3T (2T at 60 s) after the last registration; kept up = no renewal failed, no endpoint missed a "
                + "round (no gap of 2T), and every listing (one per second) showed all passing. The keystone fleets are"
                + " %s of its back-to-back rate x T (the first two at 60 s), up to the first that did not keep up; "
                + "redis is run at the largest that did.%n%n", HEARTBEATERS, FILLS);
        out.println("| store | T | endpoints | renewal gap s, median (lowest-highest) | renewals | failed | least "
                + "passing | server CPU per renewal, ms | result |");
        out.println("|---|---:|---:|---|---:|---:|---:|---:|---|");
        for (Capacity c : capacities) {
            out.printf(Locale.ROOT, "| %s | %d s | %,d | %s | %,d | %d | %,d | %s | %s |%n", c.store(),
                    c.interval().toSeconds(), c.endpoints(), c.gapSeconds().text(), c.renewals(), c.failedRenewals(),
                    c.leastPassing(), Report.number(c.serverCpuPerRenewalMs()), c.keptUp() ? "kept up"
                            : "fell behind");
        }
    }
}

package io.hotline.benchmarks;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.consul.ConsulStoreProvider;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.Watch;
import io.hotline.discovery.spi.WatchListener;
import io.hotline.testing.ConsulAgent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * How the {@code consul} store behaves against a real agent ({@code consul agent -dev}, started and stopped here):
 * how long until a watcher sees a registration, how long after its TTL a missed heartbeat shows, and what
 * registering 1,000 endpoints costs. Prints medians (and the spread) as Markdown; progress goes to standard error.
 *
 * <pre>
 * benchmarks/run-consul-store                 # 20 rounds, about a minute
 * benchmarks/run-consul-store 50
 * </pre>
 */
public final class ConsulStoreBenchmark {

    private static final Zone ZONE = Zone.of("dc1");
    private static final Duration TTL = Duration.ofSeconds(3);
    private static final HealthPolicy SHORT = HealthPolicy.of(Duration.ofSeconds(1), TTL, Duration.ofMinutes(5));
    private static final HealthPolicy LONG = HealthPolicy.of(Duration.ofSeconds(10), Duration.ofMinutes(10),
            Duration.ofMinutes(30));
    private static final Duration LIMIT = Duration.ofSeconds(60);

    private ConsulStoreBenchmark() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        try (ConsulAgent agent = ConsulAgent.builder("dc1").build().start();
                EndpointStore store = new ConsulStoreProvider().open(HotlineConfig.of(Map.of(
                        HotlineConfig.ZONE, ZONE.path(),
                        ConsulStoreProvider.PORT, Integer.toString(agent.httpPort()))))) {
            System.err.println("consul " + agent.datacenter() + " on port " + agent.httpPort() + "; " + rounds
                    + " rounds");
            List<Double> seen = registrationSeen(store, rounds);
            List<Double> critical = missedTtlSeen(store, rounds);
            List<Double> one = registerThousand(store, rounds, 1);
            List<Double> eight = registerThousand(store, rounds, 8);
            System.out.println("# Consul store (Consul 1.8.7 -dev, loopback), " + rounds + " rounds\n");
            System.out.println("| measure | median | min | max |");
            System.out.println("|---|---|---|---|");
            row("watcher sees a registration (ms from calling register)", seen);
            row("watcher sees a missed heartbeat (ms beyond the " + TTL.toSeconds() + " s TTL, from calling register)",
                    critical);
            row("register 1,000 endpoints, 1 thread (ms)", one);
            row("register 1,000 endpoints, 8 threads (ms)", eight);
            System.out.printf("%n1,000 registrations, 1 thread: %.0f per second (median)%n",
                    1000 / (Spread.of(one).median() / 1000));
        }
    }

    /** Collects what one watch delivers: id -> health of the latest snapshot, and the time it arrived. */
    private static final class Latest implements WatchListener {
        volatile Map<String, Health> health = Map.of();
        final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
        final Map<String, Long> firstCritical = new ConcurrentHashMap<>();
        volatile StoreException error;

        @Override
        public void onSnapshot(List<EndpointStatus> endpoints) {
            long now = System.nanoTime();
            Map<String, Health> m = new ConcurrentHashMap<>();
            for (EndpointStatus s : endpoints) {
                m.put(s.endpoint().id(), s.health());
                firstSeen.putIfAbsent(s.endpoint().id(), now);
                if (s.health() == Health.CRITICAL) {
                    firstCritical.putIfAbsent(s.endpoint().id(), now);
                }
            }
            health = m;
        }

        @Override
        public void onError(StoreException e) {
            error = e;
        }
    }

    private static Endpoint endpoint(String service, int n) {
        return Endpoint.builder(service).id("e" + n).server("host-" + n).host("127.0.0.1").port(20000 + n % 40000)
                .zone(ZONE).metadata("free_disk_gb", Integer.toString(n)).build();
    }

    private static List<Double> registrationSeen(EndpointStore store, int rounds) throws Exception {
        String service = "bench.seen";
        Latest latest = new Latest();
        List<Double> ms = new ArrayList<>();
        try (Watch w = store.watch(service, ZONE, latest)) {
            await(() -> latest.health != null, latest);
            for (int i = 0; i < rounds; i++) {
                String id = "e" + i;
                long registered = System.nanoTime();
                store.register(endpoint(service, i), LONG);
                await(() -> latest.firstSeen.containsKey(id), latest);
                ms.add((latest.firstSeen.get(id) - registered) / 1e6);
                store.deregister(service, id);
            }
        }
        System.err.println("registration seen: done");
        return ms;
    }

    /** All rounds at once, a little apart: each endpoint is registered and never renewed. */
    private static List<Double> missedTtlSeen(EndpointStore store, int rounds) throws Exception {
        String service = "bench.ttl";
        Latest latest = new Latest();
        Map<String, Long> registered = new ConcurrentHashMap<>();
        List<Double> ms = new ArrayList<>();
        try (Watch w = store.watch(service, ZONE, latest)) {
            for (int i = 0; i < rounds; i++) {
                registered.put("e" + i, System.nanoTime());
                store.register(endpoint(service, i), SHORT);
                Thread.sleep(97);
            }
            await(() -> latest.firstCritical.keySet().containsAll(registered.keySet()), latest);
            registered.forEach((id, t) -> ms.add((latest.firstCritical.get(id) - t) / 1e6 - TTL.toMillis()));
            for (int i = 0; i < rounds; i++) {
                store.deregister(service, "e" + i);
            }
        }
        System.err.println("missed TTL seen: done");
        return ms;
    }

    private static List<Double> registerThousand(EndpointStore store, int rounds, int threads) throws Exception {
        List<Double> ms = new ArrayList<>();
        for (int r = 0; r < Math.max(3, rounds / 4); r++) {
            String service = "bench.thousand." + threads + "." + r;
            ms.add(StoreWorkload.inParallel(threads, 1000, i -> store.register(endpoint(service, i), LONG),
                    Duration.ofMinutes(5)));
            if (store.list(service, ZONE).size() != 1000) {
                throw new IllegalStateException("registered 1,000 endpoints of " + service + " but Consul lists "
                        + store.list(service, ZONE).size());
            }
            StoreWorkload.inParallel(threads, 1000, i -> store.deregister(service, "e" + i), Duration.ofMinutes(5));
        }
        System.err.println("1,000 registrations with " + threads + " thread(s): done");
        return ms;
    }

    private static void await(BooleanSupplier condition, Latest latest) throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (latest.error != null) {
                throw new IllegalStateException("the watch failed", latest.error);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("nothing seen within " + LIMIT);
            }
            Thread.sleep(0, 200_000);
        }
    }

    private static void row(String what, List<Double> values) {
        Spread s = Spread.of(values);
        System.out.printf("| %s | %.1f | %.1f | %.1f |%n", what, s.median(), s.lowest(), s.highest());
    }
}

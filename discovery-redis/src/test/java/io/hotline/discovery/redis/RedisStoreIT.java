package io.hotline.discovery.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.NotRegisteredException;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.testing.CapturedStderr;
import io.hotline.testing.Closer;
import io.hotline.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClient;

/** What the redis store does beyond the TCK's contracts, against one real redis-server. */
class RedisStoreIT {

    private static final Zone AZ1 = Zone.of("region-one/az-1");
    private static final Zone AZ3 = Zone.of("region-one/az-3");
    private static final HealthPolicy LONG = HealthPolicy.of(Duration.ofSeconds(1), Duration.ofMinutes(10),
            Duration.ofMinutes(20));

    private static RedisServer redis;
    private static RedisClient raw;
    private final Closer closer = new Closer();

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.builder().start();
        raw = RedisClient.create("127.0.0.1", redis.port());
    }

    @AfterAll
    static void stopRedis() {
        raw.close();
        redis.close();
    }

    @AfterEach
    void closeOpened() throws Exception {
        closer.close();
    }

    private EndpointStore store(Zone zone) {
        return store(zone, Map.of());
    }

    private EndpointStore store(Zone zone, Map<String, String> more) {
        Map<String, String> config = new HashMap<>(more);
        config.putAll(Map.of("hotline.store", "redis", "hotline.zone", zone.path(), "hotline.redis.nodes",
                redis.address()));
        EndpointStore s = StoreProviders.load().open(HotlineConfig.of(config));
        closer.track(s);
        return s;
    }

    private static String service() {
        return "it." + UUID.randomUUID().toString().substring(0, 8);
    }

    private static Endpoint endpoint(String service, Zone zone, int n) {
        return Endpoint.builder(service).id("e" + n).host("127.0.0.1").port(20000 + n).zone(zone).build();
    }

    @Test
    void isFoundByNameThroughServiceLoader() {
        assertThat(StoreProviders.load().names()).contains("redis", "file", "memory");
        assertThat(StoreProviders.load().get("redis")).isInstanceOf(RedisStoreProvider.class);
        assertThat(store(AZ1).toString()).contains("redis store of zone region-one/az-1");
    }

    @Test
    void recordsWrittenBySomeoneElseThatDoNotParseAreReportedWithoutTheirContentAndSkipped() {
        EndpointStore store = store(AZ1);
        String service = service();
        Endpoint good = endpoint(service, AZ1, 1);
        store.register(good, LONG);
        String base = "hotline:{" + service + "}:" + AZ1.path();
        raw.hset(base + ":records", "garbage", "{\"format\":\"hotline.redis/1\",\"id\":\"topsecret-1\"");
        raw.hset(base + ":records", "e7", RedisRecord.toJson(endpoint(service, AZ1, 8)));
        raw.hset(base + ":records", "no-deadline", RedisRecord.toJson(endpoint(service, AZ1, 9).toBuilder()
                .id("no-deadline").metadata("token", "topsecret-2").build()));
        long future = System.currentTimeMillis() + 600_000;
        raw.hset(base + ":records", "evil\nFORGED WARN x", "{");
        raw.zadd(base + ":down", future, "garbage");
        raw.zadd(base + ":down", future, "e7");
        raw.zadd(base + ":down", future, "evil\nFORGED WARN x");

        List<EndpointStatus> listed;
        String log;
        try (CapturedStderr captured = CapturedStderr.start()) {
            listed = store.list(service, AZ1);
            log = captured.text();
        }
        assertThat(listed).extracting(EndpointStatus::endpoint, EndpointStatus::health)
                .containsExactly(tuple(good, Health.PASSING));
        assertThat(log).contains("skipping the record 'garbage' of " + service, "not valid JSON")
                .contains("skipping the record 'e7'", "names e8 of " + service)
                .contains("skipping the record 'no-deadline'", "has no deadline")
                .contains("skipping the record 'evil\\nFORGED WARN x'")
                .doesNotContain("topsecret");
        assertThat(log.lines()).noneMatch(line -> line.startsWith("FORGED"));
    }

    @Test
    void oneRedisHoldsSeveralZones() {
        EndpointStore az1 = store(AZ1);
        EndpointStore az3 = store(AZ3);
        String service = service();
        az1.register(endpoint(service, AZ1, 1), LONG);
        az3.register(endpoint(service, AZ3, 3), LONG);

        assertThat(az1.zones()).contains(AZ1, AZ3);
        assertThat(az1.list(service, AZ1)).extracting(s -> s.endpoint().id()).containsExactly("e1");
        assertThat(az1.list(service, AZ3)).extracting(s -> s.endpoint().id()).containsExactly("e3");
        assertThatThrownBy(() -> az1.list(service, Zone.of("region-nine")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hotline.redis.remotes");
    }

    @Test
    void aLargeServiceIsReadWholeAndSweptInChunks() throws Exception {
        EndpointStore store = store(AZ1);
        String service = service();
        int n = 9_000;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int from = t;
                done.add(pool.submit(() -> {
                    for (int i = from; i < n; i += 4) {
                        store.register(endpoint(service, AZ1, i), LONG);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.list(service, AZ1)).hasSize(n).allMatch(EndpointStatus::isPassing);

        Snapshots watcher = new Snapshots();
        closer.track(store(AZ1).watch(service, AZ1, watcher));
        await().atMost(Duration.ofSeconds(10)).until(() -> watcher.latest().size() == n);
        // As if every deregister-after had passed: the next read sweeps more than Lua's unpack takes at once.
        String gone = "hotline:{" + service + "}:" + AZ1.path() + ":gone";
        try (AbstractPipeline p = raw.pipelined()) {
            for (int i = 0; i < n; i++) {
                p.zadd(gone, 1, "e" + i);
            }
            p.sync();
        }
        assertThat(store.list(service, AZ1)).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> watcher.latest().isEmpty());
        assertThat(raw.exists("hotline:{" + service + "}:" + AZ1.path() + ":records")).isFalse();
        assertThat(watcher.errors()).isEmpty();
    }

    @Test
    void aSweepIsAnnouncedToWatchersWithoutAnyoneListing() {
        EndpointStore writer = store(AZ1);
        String service = service();
        Snapshots watcher = new Snapshots();
        closer.track(store(AZ1).watch(service, AZ1, watcher));
        await().atMost(Duration.ofSeconds(10)).until(watcher::hasSnapshot);
        // Passing for a second, so that a loaded machine still shows it passing before it turns critical.
        writer.register(endpoint(service, AZ1, 1), HealthPolicy.of(Duration.ofMillis(100), Duration.ofSeconds(1),
                Duration.ofSeconds(2)));

        await().atMost(Duration.ofSeconds(10)).until(() -> watcher.latest().get("e1") == Health.PASSING);
        await().atMost(Duration.ofSeconds(10)).until(() -> watcher.latest().get("e1") == Health.CRITICAL);
        await().atMost(Duration.ofSeconds(10)).until(() -> watcher.latest().isEmpty());
        assertThat(watcher.errors()).isEmpty();
    }

    @Test
    void aServiceNobodyReadsIsSweptByAnyLiveClient() {
        Map<String, String> quickSweeps = Map.of("hotline.redis.sweep-interval", "200ms");
        raw.del("hotline:sweeper");  // an earlier test's store may hold the turn for its 30 s
        String service = service();
        String records = "hotline:{" + service + "}:" + AZ1.path() + ":records";
        EndpointStore owner = store(AZ1, quickSweeps);
        owner.register(endpoint(service, AZ1, 1), HealthPolicy.of(Duration.ofMillis(100), Duration.ofSeconds(1),
                Duration.ofSeconds(2)));
        owner.close();  // its owner is gone, and nobody lists or watches the service
        assertThat(raw.hexists(records, "e1")).isTrue();

        store(AZ3, quickSweeps);
        await().atMost(Duration.ofSeconds(15)).until(() -> !raw.exists(records));
        assertThat(raw.sismember("hotline:services", AZ1.path() + " " + service)).isTrue();
    }

    @Test
    void aServerRestartedEmptyMakesRenewalsAskForRegistration() {
        EndpointStore store = store(AZ1);
        String service = service();
        store.register(endpoint(service, AZ1, 1), LONG);
        store.renew(service, "e1");
        redis.restart();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptionsMatching(e -> !(e instanceof NotRegisteredException))
                .untilAsserted(() -> assertThatThrownBy(() -> store.renew(service, "e1"))
                        .isInstanceOf(NotRegisteredException.class));
        store.register(endpoint(service, AZ1, 1), LONG);
        store.renew(service, "e1");
        assertThat(store.list(service, AZ1)).hasSize(1);
    }

    @Test
    void aBadConfigurationValueFailsTheOpenWithTheKey() {
        assertThatThrownBy(() -> StoreProviders.load().open(HotlineConfig.of(Map.of("hotline.store", "redis",
                "hotline.redis.mode", "cluster", "hotline.redis.sentinel-master", "x"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hotline.redis.sentinel-master");
    }
}

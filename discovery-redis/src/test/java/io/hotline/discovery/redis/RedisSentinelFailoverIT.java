package io.hotline.discovery.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.testing.RedisSentinel;
import io.hotline.testing.RedisServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;

/** A Sentinel failover: the master dies, the sentinel promotes its replica, and the store carries on there. */
class RedisSentinelFailoverIT {

    private static final Zone ZONE = Zone.of("az-1");
    private static final HealthPolicy POLICY = HealthPolicy.of(Duration.ofSeconds(1), Duration.ofMinutes(10),
            Duration.ofMinutes(20));
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Test
    void theStoreFollowsTheSentinelToThePromotedReplica() {
        try (RedisServer master = RedisServer.builder().name("redis-master").start();
                RedisServer replica = RedisServer.builder().name("redis-replica")
                        .arguments("--replicaof", "127.0.0.1", Integer.toString(master.port())).start();
                RedisSentinel sentinel = RedisSentinel.start(Map.of("hotline", master), Duration.ofSeconds(1));
                EndpointStore store = new RedisStoreProvider().open(HotlineConfig.of(Map.of("hotline.zone",
                        ZONE.path(), "hotline.redis.mode", "sentinel", "hotline.redis.nodes", sentinel.address(),
                        "hotline.redis.sentinel-master", "hotline", "hotline.redis.timeout", "1s")));
                RedisClient onReplica = RedisClient.create("127.0.0.1", replica.port());
                Jedis toSentinel = new Jedis("127.0.0.1", sentinel.port())) {
            Endpoint before = Endpoint.builder("failover.svc").id("before").host("127.0.0.1").port(20001).zone(ZONE)
                    .build();
            store.register(before, POLICY);
            await().atMost(PATIENCE).until(() -> onReplica.hexists("hotline:{failover.svc}:az-1:records", "before")
                    && !toSentinel.sentinelReplicas("hotline").isEmpty());

            master.stop();

            Endpoint after = before.toBuilder().id("after").port(20002).build();
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200)).ignoreExceptions().untilAsserted(() -> {
                store.register(after, POLICY);
                assertThat(store.list("failover.svc", ZONE)).extracting(EndpointStatus::endpoint)
                        .containsExactly(after, before);
            });
            assertThat(toSentinel.sentinelGetMasterAddrByName("hotline")).containsExactly("127.0.0.1",
                    Integer.toString(replica.port()));
        }
    }
}

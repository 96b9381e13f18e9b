package io.hotline.discovery.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hotline.broadcaster.Broadcaster;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.FanoutReport;
import io.hotline.rpc.ListenerSettings;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.RpcServer;
import io.hotline.rpc.Target;
import io.hotline.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RPC servers, a broadcaster and a client that find each other only through a real Redis: call, cast, fanout. */
class RedisEndToEndIT {

    private static final Target TARGET = Target.topic("conductor").exchange("nova");
    private static final Zone ZONE = Zone.of("region-one/az-1");
    private static final HealthPolicy POLICY = HealthPolicy.of(Duration.ofMillis(200), Duration.ofSeconds(2),
            Duration.ofSeconds(10));

    private RedisServer redis;
    private final List<AutoCloseable> opened = new ArrayList<>();

    /** An endpoint object: what a service author writes. */
    public static final class Api {
        private final String name;
        final List<String> events = new CopyOnWriteArrayList<>();

        Api(String name) {
            this.name = name;
        }

        public String echo(String text) {
            return name + ":" + text;
        }

        public void record(String event) {
            events.add(event);
        }
    }

    @BeforeEach
    void startRedis() {
        redis = RedisServer.builder().start();
    }

    @AfterEach
    void stopAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        redis.close();
    }

    private <T extends AutoCloseable> T track(T c) {
        opened.add(c);
        return c;
    }

    /** A store as a separate process would open it, from configuration alone. */
    private EndpointStore store() {
        return track(StoreProviders.load().open(HotlineConfig.of(Map.of("hotline.store", "redis",
                "hotline.zone", ZONE.path(), "hotline.redis.nodes", redis.address()))));
    }

    private Api server(String name) {
        Api api = new Api(name);
        track(RpcServer.builder(store()).target(TARGET.server(name)).endpoint(api).healthPolicy(POLICY)
                .drainDelay(Duration.ZERO).gracePeriod(Duration.ofSeconds(5)).start());
        return api;
    }

    @Test
    void callCastAndFanoutThroughRedis() {
        Api a = server("host-a");
        Api b = server("host-b");
        track(Broadcaster.builder(store()).healthPolicy(POLICY).drainDelay(Duration.ZERO)
                .listener(ListenerSettings.DEFAULT.grace(Duration.ofSeconds(5))).start());
        RpcClient client = track(RpcClient.builder(store()).timeout(Duration.ofSeconds(20)).build());

        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() ->
                assertThat(client.prepare(TARGET).call("echo", Map.of("text", "hi"), String.class))
                        .isIn("host-a:hi", "host-b:hi"));
        assertThat(client.prepare(TARGET.server("host-b")).call("echo", Map.of("text", "you"), String.class))
                .isEqualTo("host-b:you");

        client.prepare(TARGET.server("host-a")).cast("record", Map.of("event", "cast"));
        await().atMost(Duration.ofSeconds(20)).until(() -> a.events.contains("cast"));

        FanoutReport report = client.prepare(TARGET.asFanout()).fanoutWithReport("record", Map.of("event", "all"));
        assertThat(report.targeted()).isEqualTo(2);
        assertThat(report.delivered()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> a.events.contains("all") && b.events.contains("all"));
        assertThat(Collections.frequency(a.events, "all")).isEqualTo(1);
        assertThat(Collections.frequency(b.events, "all")).isEqualTo(1);
        assertThat(b.events).doesNotContain("cast");
    }
}

package io.hotline.broadcaster.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hotline.broadcaster.Broadcaster;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.rpc.FanoutReport;
import io.hotline.rpc.server.ListenerSettings;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.Target;
import io.hotline.rpc.server.testing.RpcFleet;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The end-to-end scenario a store's tests run on its real server: two RPC servers, a broadcaster and a client that find
 * each other only through the store, and a call, a cast and a fanout between them.
 *
 * <pre>{@code
 * StoreEndToEnd.callCastAndFanout(HotlineConfig.of(Map.of("hotline.store", "redis",
 *         "hotline.redis.nodes", redis.address())), Zone.of("region-one/az-1"));
 * }</pre>
 */
public final class StoreEndToEnd {

    private static final Target TARGET = Target.topic("conductor").exchange("nova");
    private static final HealthPolicy POLICY = HealthPolicy.of(Duration.ofMillis(200), Duration.ofSeconds(2),
            Duration.ofSeconds(10));
    private static final Duration WAIT = Duration.ofSeconds(20);

    private StoreEndToEnd() {}

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

    /**
     * Runs the scenario; each store the fleet opens is one a separate process would open, from {@code config} alone.
     *
     * @throws AssertionError if any step does not do what it should
     */
    public static void callCastAndFanout(HotlineConfig config, Zone zone) throws Exception {
        try (RpcFleet fleet = RpcFleet.over(config, zone)) {
            Api a = server(fleet, "host-a");
            Api b = server(fleet, "host-b");
            fleet.track(Broadcaster.builder(fleet.store()).healthPolicy(POLICY).drainDelay(Duration.ZERO)
                    .listener(ListenerSettings.DEFAULT.grace(Duration.ofSeconds(5))).start());
            RpcClient client = fleet.client();

            await().atMost(WAIT).ignoreExceptions().untilAsserted(() ->
                    assertThat(client.prepare(TARGET).call("echo", Map.of("text", "hi"), String.class))
                            .isIn("host-a:hi", "host-b:hi"));
            assertThat(client.prepare(TARGET.server("host-b")).call("echo", Map.of("text", "you"), String.class))
                    .isEqualTo("host-b:you");

            client.prepare(TARGET.server("host-a")).cast("record", Map.of("event", "cast"));
            await().atMost(WAIT).until(() -> a.events.contains("cast"));

            FanoutReport report = client.prepare(TARGET.asFanout()).fanoutWithReport("record", Map.of("event", "all"));
            assertThat(report.targeted()).isEqualTo(2);
            assertThat(report.delivered()).isEqualTo(2);
            await().atMost(WAIT).until(() -> a.events.contains("all") && b.events.contains("all"));
            assertThat(Collections.frequency(a.events, "all")).isEqualTo(1);
            assertThat(Collections.frequency(b.events, "all")).isEqualTo(1);
            assertThat(b.events).doesNotContain("cast");
        }
    }

    private static Api server(RpcFleet fleet, String name) {
        Api api = new Api(name);
        fleet.start(fleet.serverBuilder().target(TARGET.server(name)).endpoint(api).healthPolicy(POLICY));
        return api;
    }
}

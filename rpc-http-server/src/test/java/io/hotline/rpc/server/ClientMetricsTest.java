package io.hotline.rpc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.NoSuchMethod;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.Target;
import io.hotline.rpc.server.testing.RpcFleet;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A client's meters: its calls, casts and fanouts by outcome, as histograms, and its retries. */
class ClientMetricsTest {

    private static final Target TARGET = Target.topic("conductor");

    private final RpcFleet fleet = RpcFleet.inMemory();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void close() throws Exception {
        fleet.close();
    }

    private Timer requests(String kind, String method, String outcome) {
        return registry.get("hotline.rpc.client.requests").tags("service", TARGET.service(), "kind", kind, "method",
                method, "outcome", outcome).timer();
    }

    @Test
    void callsAndCastsAreTimedByOutcomeWithHistogramBuckets() {
        fleet.start(fleet.serverBuilder().target(TARGET.server("a")).endpoint(new TestApi("a")));
        RpcClient client = fleet.client(fleet.clientBuilder(RpcFleet.AZ1).meterRegistry(registry));
        RpcClient.Prepared conductor = client.prepare(TARGET);
        assertThat(conductor.call("echo", Map.of("text", "x"), String.class)).isEqualTo("x");
        assertThat(conductor.call("echo", Map.of("text", "y"), String.class)).isEqualTo("y");
        assertThatThrownBy(() -> conductor.call("nosuch", Map.of(), String.class)).isInstanceOf(NoSuchMethod.class);
        conductor.cast("record", Map.of("event", "e"));

        assertThat(requests("call", "echo", "ok").count()).isEqualTo(2);
        assertThat(requests("call", "nosuch", "NoSuchMethod").count()).isOne();
        assertThat(requests("cast", "record", "ok").count()).isOne();
        CountAtBucket[] buckets = requests("call", "echo", "ok").takeSnapshot().histogramCounts();
        assertThat(Arrays.stream(buckets).map(b -> Duration.ofNanos((long) b.bucket())))
                .startsWith(Duration.ofMillis(1)).contains(Duration.ofSeconds(60));
        assertThat(buckets[buckets.length - 1].count()).isEqualTo(2);
    }

    @Test
    void triesAfterTheFirstAreCountedAsRetries() throws Exception {
        EndpointStore store = fleet.store();
        fleet.start(fleet.serverBuilder().target(TARGET.server("live")).endpoint(new TestApi("live")));
        // Refuses connections: a call that picks it first is sent to the live server next.
        store.register(Endpoint.builder(TARGET.service()).server("dead").host("127.0.0.1").port(RpcFleet.deadPort())
                .zone(RpcFleet.AZ1).build(), HealthPolicy.DEFAULT);
        RpcClient client = fleet.client(fleet.clientBuilder(RpcFleet.AZ1).meterRegistry(registry));
        for (int i = 0; i < 20 && registry.find("hotline.rpc.client.retries").counter() == null; i++) {
            assertThat(client.prepare(TARGET).call("echo", Map.of("text", "x"), String.class)).isEqualTo("x");
        }
        assertThat(registry.get("hotline.rpc.client.retries").tags("service", TARGET.service(), "kind", "call")
                .counter().count()).isGreaterThanOrEqualTo(1);
    }
}

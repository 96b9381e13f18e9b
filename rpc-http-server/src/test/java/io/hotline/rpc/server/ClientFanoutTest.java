package io.hotline.rpc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.FanoutReport;
import io.hotline.rpc.FanoutReport.Delivery;
import io.hotline.rpc.FanoutReport.Outcome;
import io.hotline.rpc.InvalidTarget;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.Target;
import io.hotline.testing.Closer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client's own fanout, when no broadcaster is registered, against real servers and one that is gone. */
class ClientFanoutTest {

    private static final Target TARGET = Target.topic("compute").exchange("nova");

    private final Closer closer = new Closer();
    private final HotlineConfig config = HotlineConfig.of(Map.of("hotline.store", "memory",
            "hotline.memory.space", "client-fanout-" + UUID.randomUUID(), "hotline.memory.poll-interval", "20ms"));
    private EndpointStore store;

    @BeforeEach
    void open() {
        store = track(StoreProviders.load().open(config));
    }

    @AfterEach
    void closeAll() throws Exception {
        closer.close();
    }

    private <T extends AutoCloseable> T track(T c) {
        return closer.track(c);
    }

    @Test
    void withoutABroadcasterTheClientFansOutItselfWhenAllowedAndOtherwiseNamesTheKey() {
        List<TestApi> servers = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            TestApi api = new TestApi("s" + i);
            servers.add(api);
            track(RpcServer.builder(store).target(TARGET.server("s" + i)).endpoint(api).drainDelay(Duration.ZERO)
                    .start());
        }
        store.register(Endpoint.builder(TARGET.service()).id("dead").server("dead").host("127.0.0.1")
                .port(deadPort()).build(), HealthPolicy.DEFAULT);
        RpcClient refusing = track(RpcClient.builder(store).build());
        assertThatThrownBy(() -> refusing.prepare(TARGET.asFanout()).cast("record", Map.of("event", "x")))
                .isInstanceOf(InvalidTarget.class).hasMessageContaining(RpcClient.FANOUT_FALLBACK + "=true");

        RpcClient client = track(RpcClient.builder(store).config(config.with(RpcClient.FANOUT_FALLBACK, "true"))
                .build());
        FanoutReport report = client.prepare(TARGET.asFanout()).fanoutWithReport("record", Map.of("event", "r"));
        assertThat(report.targeted()).isEqualTo(4);
        assertThat(report.delivered()).isEqualTo(3);
        assertThat(report.failed()).isEqualTo(1);
        assertThat(report.results()).filteredOn(d -> d.outcome() == Outcome.REFUSED).extracting(Delivery::id)
                .containsExactly("dead");
        client.prepare(TARGET.asFanout()).cast("record", Map.of("event", "c"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(servers).allSatisfy(s ->
                assertThat(s.events).containsExactly("r", "c")));

        assertThatThrownBy(() -> RpcClient.builder(store).config(config.with(RpcClient.FANOUT_FALLBACK, "maybe")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(RpcClient.FANOUT_FALLBACK);
    }

    private static int deadPort() {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.hotline.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.server.testing.RpcFleet;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the page remembers of endpoints, over the memory store. */
class StatusPageTest {

    private static final Zone AZ1 = Zone.of("region-one/az-1");
    private static final String SERVICE = "nova.compute";

    private final EndpointStore store = StoreProviders.load().open(HotlineConfig.of(Map.of("hotline.store", "memory",
            "hotline.memory.space", "status-" + UUID.randomUUID(), "hotline.memory.poll-interval", "20ms",
            "hotline.zone", AZ1.path())));

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void endpointsGoneFromTheDirectoryAreForgotten() throws IOException {
        try (StatusPage page = StatusPage.builder(store).services(List.of(SERVICE)).refresh(Duration.ofMillis(100))
                .build()) {
            // An endpoint restarting on a new ephemeral port each time, under a new id.
            for (int restart = 0; restart < 5; restart++) {
                String id = "compute-1-" + restart;
                if (restart > 0) {
                    store.deregister(SERVICE, "compute-1-" + (restart - 1));
                }
                store.register(Endpoint.builder(SERVICE).id(id).server("compute-1").host("127.0.0.1").port(RpcFleet.deadPort())
                        .zone(AZ1).build(), HealthPolicy.DEFAULT);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(page.observedKeys())
                        .containsExactly(SERVICE + "|" + id));
            }
        }
    }
}

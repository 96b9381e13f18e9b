package io.hotline.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.ForwardingEndpointStore;
import io.hotline.discovery.spi.Watch;
import io.hotline.discovery.spi.WatchListener;
import io.hotline.rpc.server.testing.RpcFleet;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the page remembers of endpoints, over the memory store. */
class StatusPageTest {

    private static final Zone AZ1 = Zone.of("region-one/az-1");
    private static final String SERVICE = "nova.compute";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EndpointStore store = StoreProviders.load().open(HotlineConfig.of(Map.of("hotline.store", "memory",
            "hotline.memory.space", "status-" + UUID.randomUUID(), "hotline.memory.poll-interval", "20ms",
            "hotline.zone", AZ1.path())));

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void healthSinceIsTheStoresWordNotWhenThePageStarted() throws IOException {
        store.register(endpoint("compute-1"), HealthPolicy.of(Duration.ofMillis(100), Duration.ofMillis(300),
                Duration.ofMinutes(5)));
        store.register(endpoint("compute-2"), HealthPolicy.DEFAULT);
        Instant passingSince = store.list(SERVICE, AZ1).stream().filter(s -> s.endpoint().id().equals("compute-2"))
                .findFirst().orElseThrow().since().orElseThrow();
        await().atMost(Duration.ofSeconds(30)).until(() -> store.list(SERVICE, AZ1).stream()
                .anyMatch(s -> s.health() == Health.CRITICAL));
        Instant criticalSince = store.list(SERVICE, AZ1).stream().filter(s -> s.endpoint().id().equals("compute-1"))
                .findFirst().orElseThrow().since().orElseThrow();

        try (StatusPage page = StatusPage.builder(store).services(List.of(SERVICE)).refresh(Duration.ofMillis(100))
                .build()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> endpoints(page).size() == 2);
            Map<String, JsonNode> rows = endpoints(page);
            assertThat(rows.get("compute-1").get("health").asText()).isEqualTo("critical");
            assertThat(rows.get("compute-1").get("healthSince").asText()).isEqualTo(criticalSince.toString());
            assertThat(rows.get("compute-2").get("healthSince").asText()).isEqualTo(passingSince.toString());
            assertThat(rows.get("compute-2").get("healthSinceObserved").asBoolean()).isFalse();
        }
    }

    @Test
    void withoutTheStoresWordHealthSinceIsWhenThePageSawItAndSaysSo() throws IOException {
        // A store that cannot tell since when, as Consul's checks cannot.
        EndpointStore silent = new ForwardingEndpointStore(store) {
            @Override
            public List<EndpointStatus> list(String service, Zone zone) {
                return withoutSince(delegate.list(service, zone));
            }

            @Override
            public Watch watch(String service, Zone zone, WatchListener listener) {
                return delegate.watch(service, zone, new WatchListener() {
                    @Override
                    public void onSnapshot(List<EndpointStatus> endpoints) {
                        listener.onSnapshot(withoutSince(endpoints));
                    }

                    @Override
                    public void onError(StoreException error) {
                        listener.onError(error);
                    }
                });
            }
        };
        store.register(endpoint("compute-1"), HealthPolicy.DEFAULT);
        Instant opening = Instant.now();
        try (StatusPage page = StatusPage.builder(silent).services(List.of(SERVICE)).refresh(Duration.ofMillis(100))
                .build()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> endpoints(page).size() == 1);
            JsonNode row = endpoints(page).get("compute-1");
            assertThat(row.get("healthSinceObserved").asBoolean()).isTrue();
            assertThat(Instant.parse(row.get("healthSince").asText())).isAfterOrEqualTo(opening);
        }
    }

    private static List<EndpointStatus> withoutSince(List<EndpointStatus> statuses) {
        return statuses.stream().map(s -> new EndpointStatus(s.endpoint(), s.health())).toList();
    }

    private static Endpoint endpoint(String id) throws IOException {
        return Endpoint.builder(SERVICE).id(id).server(id).host("127.0.0.1").port(RpcFleet.deadPort()).zone(AZ1)
                .build();
    }

    private static Map<String, JsonNode> endpoints(StatusPage page) throws IOException {
        Map<String, JsonNode> rows = new HashMap<>();
        for (JsonNode service : JSON.readTree(page.snapshotJson()).get("services")) {
            service.get("endpoints").forEach(e -> rows.put(e.get("id").asText(), e));
        }
        return rows;
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

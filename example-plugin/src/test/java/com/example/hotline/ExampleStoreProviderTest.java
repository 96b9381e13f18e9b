package com.example.hotline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The provider's side of the plugin: found by name, configured by its keys, explaining bad values. */
class ExampleStoreProviderTest {

    private final String cluster = "provider-test-" + UUID.randomUUID();

    private HotlineConfig config(String key, String value) {
        return HotlineConfig.of(Map.of(HotlineConfig.STORE, "example", ExampleStoreProvider.CLUSTER, cluster))
                .with(key, value);
    }

    @Test
    void serviceLoaderFindsTheStoreByName() {
        assertThat(StoreProviders.load().get("example")).isInstanceOf(ExampleStoreProvider.class);
        try (EndpointStore store = StoreProviders.load().open(config(HotlineConfig.ZONE, "lab/rack-1"))) {
            assertThat(store.homeZone()).isEqualTo(Zone.of("lab/rack-1"));
            assertThat(store.list("nova.conductor", Zone.of("lab/rack-1"))).isEmpty();
        } finally {
            ExampleServer.discard(cluster);
        }
    }

    @Test
    void storesOfOneClusterAreFederated() {
        try (EndpointStore rack1 = new ExampleStoreProvider().open(config(HotlineConfig.ZONE, "lab/rack-1"));
                EndpointStore rack2 = new ExampleStoreProvider().open(config(HotlineConfig.ZONE, "lab/rack-2"))) {
            assertThat(rack1.zones()).containsExactlyInAnyOrder(Zone.of("lab/rack-1"), Zone.of("lab/rack-2"));
            assertThat(rack2.zones()).containsExactlyInAnyOrder(Zone.of("lab/rack-1"), Zone.of("lab/rack-2"));
        } finally {
            ExampleServer.discard(cluster);
        }
    }

    @Test
    void listOfAnUnknownZoneIsExplained() {
        try (EndpointStore store = new ExampleStoreProvider().open(config(HotlineConfig.ZONE, "lab/rack-1"))) {
            assertThatThrownBy(() -> store.list("nova.conductor", Zone.of("lab/rack-9")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("lab/rack-9")
                    .hasMessageContaining("known zones");
        } finally {
            ExampleServer.discard(cluster);
        }
    }

    @Test
    void badPollIntervalIsExplained() {
        assertThatThrownBy(() -> new ExampleStoreProvider().open(config(ExampleStoreProvider.POLL_INTERVAL, "soon")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hotline.example.poll-interval 'soon'")
                .hasMessageContaining("500ms");
        assertThatThrownBy(() -> new ExampleStoreProvider().open(config(ExampleStoreProvider.POLL_INTERVAL, "0ms")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hotline.example.poll-interval '0ms'")
                .hasMessageContaining("must be positive");
    }

    @Test
    void emptyClusterIsExplained() {
        assertThatThrownBy(() -> new ExampleStoreProvider().open(config(ExampleStoreProvider.CLUSTER, "")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hotline.example.cluster ''")
                .hasMessageContaining("'default'");
    }
}

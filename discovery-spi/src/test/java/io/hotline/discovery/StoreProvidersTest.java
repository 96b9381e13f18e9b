package io.hotline.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.EndpointStoreProvider;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoreProvidersTest {

    private static EndpointStoreProvider named(String name) {
        return new EndpointStoreProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public EndpointStore open(HotlineConfig config) {
                throw new UnsupportedOperationException("not opened in this test");
            }
        };
    }

    @Test
    void serviceLoaderFindsTheEmbeddedStores() {
        assertThat(StoreProviders.load().names()).contains("file", "memory");
    }

    @Test
    void unknownNamesFailListingWhatIsAvailable() {
        HotlineConfig config = HotlineConfig.of(Map.of("hotline.store", "consol"));
        assertThatThrownBy(() -> StoreProviders.load().open(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no endpoint store named 'consol'")
                .hasMessageContaining("available: file, memory")
                .hasMessageContaining("hotline.store (from given configuration)");
    }

    @Test
    void twoProvidersWithOneNameFail() {
        assertThatThrownBy(() -> StoreProviders.load().with(named("memory")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("two endpoint store providers are named 'memory'");
    }

    @Test
    void providersCanBeAddedInCode() {
        StoreProviders p = StoreProviders.load().with(named("custom"));
        assertThat(p.names()).contains("custom", "file", "memory");
        assertThat(p.get("custom").name()).isEqualTo("custom");
        assertThat(StoreProviders.load().names()).doesNotContain("custom");
    }

    @Test
    void opensTheConfiguredStore() {
        HotlineConfig config = HotlineConfig.of(Map.of("hotline.store", "memory", "hotline.zone", "az-9",
                "hotline.memory.space", "providers-test"));
        try (EndpointStore store = StoreProviders.load().open(config)) {
            assertThat(store.homeZone()).isEqualTo(Zone.of("az-9"));
        }
    }
}

package io.hotline.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.memory.MemorySpace;
import io.hotline.discovery.spi.EndpointStore;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class HeartbeaterTest {

    private static final Zone ZONE = Zone.of("az-1");
    private static final HealthPolicy FAST =
            HealthPolicy.of(Duration.ofMillis(20), Duration.ofMillis(150), Duration.ofSeconds(10));

    private final String space = "heartbeater-test-" + UUID.randomUUID();

    private EndpointStore store() {
        return StoreProviders.load().open(HotlineConfig.of(Map.of("hotline.store", "memory",
                "hotline.memory.space", space, "hotline.zone", ZONE.path())));
    }

    private static Endpoint endpoint() {
        return Endpoint.builder("nova.conductor").id("w1").host("127.0.0.1").port(20001).zone(ZONE).build();
    }

    @Test
    void keepsARegistrationPassingAndDeregistersOnClose() throws Exception {
        try (EndpointStore store = store(); Heartbeater hb = Heartbeater.start(store)) {
            Heartbeater.Registration reg = hb.register(endpoint(), FAST);
            Thread.sleep(FAST.downAfter().multipliedBy(3).toMillis());
            assertThat(store.list("nova.conductor", ZONE)).extracting(EndpointStatus::health)
                    .containsExactly(Health.PASSING);
            assertThat(reg.isHealthy()).isTrue();
            reg.close();
            assertThat(store.list("nova.conductor", ZONE)).isEmpty();
        }
    }

    @Test
    void registersAgainAfterTheStoreForgetsAndRetriesWhileItIsDown() {
        try (EndpointStore store = store(); Heartbeater hb = Heartbeater.start(store)) {
            Heartbeater.Registration reg = hb.register(endpoint(), FAST);
            MemorySpace.named(space).stop(ZONE);
            await().atMost(Duration.ofSeconds(5)).until(() -> !reg.isHealthy());
            MemorySpace.named(space).start(ZONE);
            await().atMost(Duration.ofSeconds(5)).until(reg::isHealthy);
            assertThat(store.list("nova.conductor", ZONE)).extracting(s -> s.endpoint().id()).containsExactly("w1");
        }
    }

    @Test
    void aStoreDownAtRegistrationIsRetriedNotThrown() {
        try (EndpointStore store = store(); Heartbeater hb = Heartbeater.start(store)) {
            MemorySpace.named(space).stop(ZONE);
            Heartbeater.Registration reg = hb.register(endpoint(), FAST);
            assertThat(reg.isHealthy()).isFalse();
            MemorySpace.named(space).start(ZONE);
            await().atMost(Duration.ofSeconds(5)).until(reg::isHealthy);
        }
    }

    @Test
    void anEndpointTheStoreRefusesIsThrownToTheCaller() {
        try (EndpointStore store = store(); Heartbeater hb = Heartbeater.start(store)) {
            Endpoint elsewhere = endpoint().toBuilder().zone(Zone.of("az-2")).build();
            assertThatThrownBy(() -> hb.register(elsewhere, FAST)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("outside this store's home zone az-1");
        }
    }
}

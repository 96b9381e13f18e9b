package io.hotline.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.Directory;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The route a prepared target's messages take, chosen once. */
class RouteTest {

    private static final Target CONDUCTOR = Target.topic("conductor").exchange("nova");

    @Test
    void aTargetGoesToAnyServerOfItsService() {
        assertThat(Route.of(CONDUCTOR, false)).isEqualTo(new Route.ToService("nova.conductor"));
        assertThat(Route.of(CONDUCTOR, false).path()).isEqualTo("/v1/rpc/nova.conductor");
    }

    @Test
    void aTargetNamingAServerGoesToThatServerOnly() {
        assertThat(Route.of(CONDUCTOR.server("host-1"), true))
                .isEqualTo(new Route.ToServer("nova.conductor", "host-1"));
    }

    @Test
    void aFanoutGoesToABroadcasterOrWithTheFallbackFromTheClient() {
        assertThat(Route.of(CONDUCTOR.asFanout(), false))
                .isEqualTo(new Route.ToBroadcaster("nova.conductor", false));
        assertThat(Route.of(CONDUCTOR.asFanout(), true)).isEqualTo(new Route.ToBroadcaster("nova.conductor", true));
        assertThat(Route.of(CONDUCTOR.asFanout(), true).path()).isEqualTo("/v1/fanout/nova.conductor");
    }

    @Test
    void aNamedServerIsFoundAmongManyAndAMissingOneIsReportedWithoutListingThemAll() {
        try (EndpointStore store = StoreProviders.load().open(HotlineConfig.of(Map.of("hotline.store", "memory",
                "hotline.memory.space", "route-" + UUID.randomUUID())));
                Directory directory = Directory.builder(store).build()) {
            for (int i = 0; i < 50; i++) {
                store.register(Endpoint.builder("nova.compute").server("compute-" + i).host("127.0.0.1")
                        .port(20_000 + i).build(), HealthPolicy.DEFAULT);
            }
            Route.Pick pick = new Route.ToServer("nova.compute", "compute-42").pick(directory, Set.of());
            assertThat(pick.endpoint().server()).isEqualTo("compute-42");

            assertThatThrownBy(() -> new Route.ToServer("nova.compute", "compute-x").pick(directory, Set.of()))
                    .isInstanceOf(InvalidTarget.class)
                    .hasMessage("server compute-x is not registered (healthy) for nova.compute; registered: [compute-0,"
                            + " compute-1, compute-10, compute-11, compute-12, compute-13, compute-14, compute-15,"
                            + " compute-16, compute-17, ...] (50 servers)");
        }
    }

    @Test
    void aFewServersAreAllNamed() {
        assertThat(Route.someOf(Set.of("compute-2", "compute-1"))).isEqualTo("[compute-1, compute-2]");
        assertThat(Route.someOf(Set.of())).isEqualTo("[]");
    }
}

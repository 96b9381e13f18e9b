package io.hotline.rpc;

import static org.assertj.core.api.Assertions.assertThat;

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
}

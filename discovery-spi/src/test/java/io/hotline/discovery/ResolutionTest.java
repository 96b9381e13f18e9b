package io.hotline.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A resolution's lookups by server name, which a call naming one host among thousands makes, and by endpoint id, which
 * a broadcaster's share makes.
 */
class ResolutionTest {

    private static Endpoint endpoint(String server, int port) {
        return Endpoint.builder("nova.compute").server(server).host("10.0.0.1").port(port).build();
    }

    private static Resolution resolution(List<Endpoint> endpoints) {
        List<EndpointStatus> statuses = endpoints.stream().map(e -> new EndpointStatus(e, Health.PASSING)).toList();
        EndpointState[] states = new EndpointState[endpoints.size()];
        return new Resolution(Query.of("nova.compute"), statuses, states, new boolean[endpoints.size()], null,
                Set.of(), "", new AtomicInteger());
    }

    @Test
    void aServerIsFoundByNameWithEveryEndpointItRegistered() {
        Endpoint a1 = endpoint("compute-a", 8001);
        Endpoint b = endpoint("compute-b", 8002);
        Endpoint a2 = endpoint("compute-a", 8003);
        Resolution r = resolution(List.of(a1, b, a2));

        assertThat(r.endpointsOf("compute-a")).containsExactly(a1, a2);
        assertThat(r.endpointsOf("compute-b")).containsExactly(b);
        assertThat(r.endpointsOf("compute-c")).isEmpty();
        assertThat(r.servers()).containsExactly("compute-a", "compute-b");
    }

    @Test
    void anEndpointIsFoundById() {
        Endpoint a = endpoint("compute-a", 8001);
        Endpoint b = endpoint("compute-b", 8002);
        Resolution r = resolution(List.of(a, b));

        assertThat(r.endpointWithId(b.id())).contains(b);
        assertThat(r.endpointWithId(a.id())).contains(a);
        assertThat(r.endpointWithId("nobody")).isEmpty();
    }

    @Test
    void eachOf13000HostsIsFoundByName() {
        List<Endpoint> hosts = new ArrayList<>();
        for (int i = 0; i < 13_000; i++) {
            hosts.add(endpoint("compute-" + i, 8000 + i % 50_000));
        }
        Resolution r = resolution(hosts);
        for (int i = 0; i < 13_000; i++) {
            assertThat(r.endpointsOf("compute-" + i)).containsExactly(hosts.get(i));
        }
        assertThat(r.servers()).hasSize(13_000);
    }

    @Test
    void anEmptyResolutionHasNoServer() {
        Resolution r = resolution(List.of());
        assertThat(r.endpointsOf("compute-a")).isEmpty();
        assertThat(r.servers()).isEmpty();
    }
}

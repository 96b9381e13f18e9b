package io.hotline.tck;

import static io.hotline.tck.TckContext.byId;
import static io.hotline.tck.TckContext.endpoint;
import static io.hotline.tck.TckContext.newService;
import static io.hotline.tck.TckContext.withoutSince;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.Zone;
import io.hotline.discovery.spi.EndpointStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Contract 1, registration: what {@code register} stores is what {@code list} gives back, field for field, for
 * everything the model allows; a second registration of the same id replaces the first entirely; ids and services
 * never mix; only endpoints within the home zone are accepted. The clauses are numbered as in the plugin guide.
 *
 * <p>Scale: a handful of endpoints per test (nine at the model's edges in 1.2); each waits the propagation bound,
 * 1.4 and 1.5 down-after as well.
 */
public interface RegistrationContract {

    /**
     * Registers one endpoint with every field set (an https scheme, a priority and weight other than the defaults,
     * five metadata entries, one empty and one of quotes, separators and an emoji), lists it, deregisters it. Scale:
     * one endpoint; waits up to the propagation bound.
     */
    @Test
    @DisplayName("1.1 register, list, deregister: the round trip keeps every field, passing at once")
    default void roundTripKeepsEveryField(TckContext tck) {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        Endpoint e = Endpoint.builder(service)
                .id("worker-1.example.org:8443")
                .server("compute-17.example.org")
                .host("127.0.0.1")
                .port(8443)
                .scheme("https")
                .zone(tck.home())
                .priority(10)
                .weight(5)
                .metadata("free_disk_gb", "250")
                .metadata("hypervisor", "kvm")
                .metadata("accept_migrations", "true")
                .metadata("description", "Zürich rack 7 — \"quoted\", comma, = sign, 😀")
                .metadata("empty", "")
                .build();
        store.register(e, tck.longLived());

        tck.within(tck.propagation()).untilAsserted(() -> assertThat(withoutSince(store.list(service, tck.home())))
                .containsExactly(new EndpointStatus(e, Health.PASSING)));

        store.deregister(service, e.id());
        tck.within(tck.propagation()).untilAsserted(() -> assertThat(withoutSince(store.list(service, tck.home()))).isEmpty());
    }

    /**
     * Registers nine endpoints that together hold every field at the model's edges (ids differing only in case, a
     * 255-character id, dot names as ids, IPv6 hosts with and without a scope, ports 1 and 65535, priorities and
     * weights 0 and 65535, 256 metadata entries, 128-character keys, 4,096-character values, control characters and
     * characters outside the BMP) and lists them back equal. Scale: nine endpoints, about 1 MB of metadata; waits up
     * to the propagation bound.
     */
    @Test
    @DisplayName("1.2 every value the model allows survives: longest and case-distinct ids, IPv6 hosts, port edges, "
            + "priority and weight edges, 256 metadata entries, 4096-character values, any Unicode")
    default void everyValueTheModelAllowsSurvives(TckContext tck) {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        List<Endpoint> edges = ModelLimits.edgeEndpoints(service, tck.home());
        for (Endpoint e : edges) {
            store.register(e, tck.longLived());
        }
        List<EndpointStatus> expected = edges.stream().map(e -> new EndpointStatus(e, Health.PASSING)).toList();

        tck.within(tck.propagation()).untilAsserted(
                () -> assertThat(withoutSince(store.list(service, tck.home()))).containsExactlyInAnyOrderElementsOf(expected));
    }

    /**
     * Registers an endpoint, then the same id with every field changed (server, host, port, scheme, a zone inside the
     * home zone, priority and weight back to the defaults, metadata keys kept, dropped, added and differing only in
     * case), and lists only the second. Scale: one endpoint; two waits of the propagation bound.
     */
    @Test
    @DisplayName("1.3 re-registering an id replaces every field: nothing of the first registration is kept")
    default void reRegisterReplacesEveryField(TckContext tck) {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        Endpoint first = Endpoint.builder(service).id("e1").server("host-a").host("127.0.0.1").port(20001)
                .scheme("http").zone(tck.home()).priority(3).weight(9)
                .metadata("kept", "old").metadata("dropped", "old").metadata("Case", "old")
                .build();
        Endpoint second = Endpoint.builder(service).id("e1").server("host-b").host("::1").port(20002)
                .scheme("https").zone(tck.home().child("moved"))
                .metadata("kept", "new").metadata("added", "new").metadata("case", "new")
                .build();
        store.register(first, tck.longLived());
        tck.within(tck.propagation()).untilAsserted(() -> assertThat(withoutSince(store.list(service, tck.home())))
                .containsExactly(new EndpointStatus(first, Health.PASSING)));

        store.register(second, tck.longLived());
        tck.within(tck.propagation()).untilAsserted(() -> assertThat(withoutSince(store.list(service, tck.home())))
                .containsExactly(new EndpointStatus(second, Health.PASSING)));
    }

    /**
     * Registers an endpoint with a long-lived policy, then again with the fixture's short one, and checks it turns
     * critical by the short policy's down-after. Scale: one endpoint; waits down-after plus the propagation bound.
     */
    @Test
    @DisplayName("1.4 re-registering with another policy applies the new policy")
    default void reRegisterAppliesTheNewPolicy(TckContext tck) {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        Endpoint e = endpoint(service, tck.home(), 1);
        store.register(e, tck.longLived());
        tck.within(tck.propagation()).until(() -> byId(store.list(service, tck.home())).get("e1") == Health.PASSING);

        store.register(e, tck.policy());
        long registered = System.nanoTime();
        tck.by(registered + tck.downDetection().toNanos(), tck.propagation()).untilAsserted(
                () -> assertThat(byId(store.list(service, tck.home())))
                        .as("health after the policy's down-after %s without a renewal", tck.policy().downAfter())
                        .containsEntry("e1", Health.CRITICAL));
    }

    /**
     * Lets an endpoint turn critical, registers it again, and checks it is passing within the propagation bound. Scale:
     * one endpoint; waits down-after plus two propagation bounds.
     */
    @Test
    @DisplayName("1.5 re-registering a critical endpoint makes it passing at once")
    default void reRegisterMakesCriticalPassing(TckContext tck) {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        Endpoint e = endpoint(service, tck.home(), 1);
        store.register(e, tck.policy());
        tck.within(tck.downDetection()).until(() -> byId(store.list(service, tck.home())).get("e1") == Health.CRITICAL);

        store.register(e, tck.policy());
        tck.within(tck.propagation()).untilAsserted(() -> assertThat(byId(store.list(service, tck.home())))
                .containsEntry("e1", Health.PASSING));
    }

    /**
     * Registers the same id in a service and in six services whose names look alike (a prefix, a suffix, another case)
     * and checks each lists its own endpoint only. Scale: seven endpoints; waits up to the propagation bound.
     */
    @Test
    @DisplayName("1.6 ids are unique per service, and services whose names look alike never mix")
    default void idsAreUniquePerService(TckContext tck) {
        EndpointStore store = tck.open(tck.home());
        String a = newService();
        List<String> lookAlikes = List.of(a + ".b", a + "c", a + "-", a + "_", a.toUpperCase(), a.substring(0, a.length() - 1));
        Endpoint inA = endpoint(a, tck.home(), 1);
        store.register(inA, tck.longLived());
        List<Endpoint> others = new ArrayList<>();
        for (int i = 0; i < lookAlikes.size(); i++) {
            Endpoint e = endpoint(lookAlikes.get(i), tck.home(), 1).toBuilder().port(21000 + i).build();
            others.add(e);
            store.register(e, tck.longLived());
        }
        tck.within(tck.propagation()).untilAsserted(() -> {
            assertThat(withoutSince(store.list(a, tck.home()))).as("the same id in look-alike services is another endpoint")
                    .containsExactly(new EndpointStatus(inA, Health.PASSING));
            for (Endpoint other : others) {
                assertThat(withoutSince(store.list(other.service(), tck.home()))).as(other.service())
                        .containsExactly(new EndpointStatus(other, Health.PASSING));
            }
        });
    }

    /**
     * Deregisters an id never registered, then one of two endpoints (twice), while a look-alike service holds the same
     * id, and checks only that endpoint is gone. Scale: three endpoints; waits up to two propagation bounds.
     */
    @Test
    @DisplayName("1.7 deregister removes that endpoint only; removing one that is not there is not an error")
    default void deregisterRemovesThatEndpointOnly(TckContext tck) {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        String other = service + ".other";
        store.deregister(service, "never-registered");
        Endpoint keep = endpoint(service, tck.home(), 2);
        Endpoint sameIdElsewhere = endpoint(other, tck.home(), 1);
        store.register(endpoint(service, tck.home(), 1), tck.longLived());
        store.register(keep, tck.longLived());
        store.register(sameIdElsewhere, tck.longLived());
        tck.within(tck.propagation()).until(() -> store.list(service, tck.home()).size() == 2);

        store.deregister(service, "e1");
        store.deregister(service, "e1");
        tck.within(tck.propagation()).untilAsserted(() -> {
            assertThat(withoutSince(store.list(service, tck.home()))).containsExactly(new EndpointStatus(keep, Health.PASSING));
            assertThat(withoutSince(store.list(other, tck.home()))).containsExactly(new EndpointStatus(sameIdElsewhere, Health.PASSING));
        });
    }

    /**
     * Registers endpoints in the home zone, a child zone and a grandchild zone, and lists all three in the home zone
     * with their own zones. Scale: three endpoints; waits up to the propagation bound.
     */
    @Test
    @DisplayName("1.8 an endpoint in a zone inside the home zone is accepted, listed in the home zone, its zone kept")
    default void acceptsZonesInsideTheHomeZone(TckContext tck) {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        Endpoint cell = endpoint(service, tck.home().child("cell-7"), 1);
        Endpoint rack = endpoint(service, tck.home().child("cell-7").child("rack-2"), 2);
        Endpoint atHome = endpoint(service, tck.home(), 3);
        store.register(cell, tck.longLived());
        store.register(rack, tck.longLived());
        store.register(atHome, tck.longLived());

        tck.within(tck.propagation()).untilAsserted(() -> assertThat(withoutSince(store.list(service, tck.home())))
                .containsExactlyInAnyOrder(new EndpointStatus(cell, Health.PASSING),
                        new EndpointStatus(rack, Health.PASSING), new EndpointStatus(atHome, Health.PASSING)));
    }

    /**
     * Registers in each zone outside the home zone (a sibling sharing its prefix, its parent, another root, the
     * federated zone), expecting {@code IllegalArgumentException} naming it each time, then checks only a home-zone
     * endpoint was stored. Scale: about five refused registrations and one endpoint; waits up to the propagation bound.
     */
    @Test
    @DisplayName("1.9 an endpoint outside the home zone (a sibling sharing its prefix, its parent, another root, the "
            + "federated zone) is refused with IllegalArgumentException naming the zone, and nothing is stored")
    default void refusesZonesOutsideTheHomeZone(TckContext tck) {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        List<Zone> outside = new ArrayList<>(ZoneEdges.outside(tck.home()));
        outside.add(tck.remote());
        for (int i = 0; i < outside.size(); i++) {
            Zone zone = outside.get(i);
            Endpoint foreign = endpoint(service, zone, i);
            assertThatThrownBy(() -> store.register(foreign, tck.longLived())).as("registering in %s", zone)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(zone.path());
        }
        store.register(endpoint(service, tck.home(), 99), tck.longLived());
        tck.within(tck.propagation()).untilAsserted(() -> assertThat(withoutSince(store.list(service, tck.home())))
                .extracting(s -> s.endpoint().id()).containsExactly("e99"));
    }
}

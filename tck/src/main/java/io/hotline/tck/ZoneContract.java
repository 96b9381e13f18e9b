package io.hotline.tck;

import static io.hotline.tck.TckContext.endpoint;
import static io.hotline.tck.TckContext.newService;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.Directory;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Query;
import io.hotline.discovery.Selection;
import io.hotline.discovery.StoreUnavailableException;
import io.hotline.discovery.Zone;
import io.hotline.discovery.spi.EndpointStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Contract 4, zones and federation: {@code zones()} is the home zone and every federated zone, kept current; a lookup
 * of a zone sees that zone only; a zone the store does not know is refused; nearest-first selection fails over only
 * while the home zone has no healthy endpoint; losing a remote zone never breaks the home zone.
 *
 * <p>Scale: a store per zone and one or two endpoints per test; 4.2 starts a fresh fixture, and 4.6 stops the
 * federated zone's server once.
 */
public interface ZoneContract {

    /**
     * Opens a store in each zone and checks the home-zone store's {@code zones()} holds both within the propagation
     * bound. Scale: two stores, no endpoints.
     */
    @Test
    @DisplayName("4.1 zones() lists the home zone and the federated one")
    default void zonesListsHomeAndFederated(TckContext tck) {
        EndpointStore homeStore = tck.open(tck.home());
        tck.open(tck.remote());
        assertThat(homeStore.homeZone()).isEqualTo(tck.home());
        tck.within(tck.propagation()).untilAsserted(() -> assertThat(homeStore.zones()).contains(tck.home(), tck.remote()));
    }

    /**
     * In a fresh fixture, opens a home-zone store first, then a store of the other zone that registers there; the first
     * store's {@code zones()} must show the new zone within the propagation bound. Scale: one extra fixture (a server
     * start), one endpoint.
     */
    @Test
    @DisplayName("4.2 zones() stays current: a zone federated after the store opened shows up (a fresh fixture)")
    default void zonesStayCurrent(TckContext tck) {
        StoreFixture fresh = tck.freshFixture();
        EndpointStore homeStore = tck.track(fresh.open(fresh.homeZone()));
        assertThat(homeStore.zones()).contains(fresh.homeZone());
        EndpointStore remoteStore = tck.track(fresh.open(fresh.remoteZone()));
        remoteStore.register(endpoint(newService(), fresh.remoteZone(), 1), tck.longLived());
        tck.within(fresh.timing().propagation())
                .untilAsserted(() -> assertThat(homeStore.zones()).contains(fresh.homeZone(), fresh.remoteZone()));
    }

    /**
     * Registers one endpoint in each zone and checks that {@code list} of a zone gives that zone's only, and that a
     * {@code Directory}'s home, zone-scoped and all-zone lookups give the one, the other and both. Scale: two
     * endpoints.
     */
    @Test
    @DisplayName("4.3 a lookup of the home zone sees the home zone only; a lookup of the federated zone sees it only")
    default void homeAndScopedLookups(TckContext tck) {
        EndpointStore homeStore = tck.open(tck.home());
        EndpointStore remoteStore = tck.open(tck.remote());
        String service = newService();
        Endpoint local = endpoint(service, tck.home(), 1);
        Endpoint far = endpoint(service, tck.remote(), 2);
        homeStore.register(local, tck.longLived());
        remoteStore.register(far, tck.longLived());

        tck.within(tck.propagation()).untilAsserted(() -> {
            assertThat(homeStore.list(service, tck.home())).extracting(EndpointStatus::endpoint).containsExactly(local);
            assertThat(homeStore.list(service, tck.remote())).extracting(EndpointStatus::endpoint).containsExactly(far);
        });
        Directory dir = tck.directory(homeStore);
        tck.within(tck.coreUpdate()).untilAsserted(() -> {
            assertThat(dir.resolve(Query.of(service).home()).endpoints()).containsExactly(local);
            assertThat(dir.resolve(Query.of(service).in(tck.remote())).endpoints()).containsExactly(far);
            assertThat(dir.resolve(Query.of(service).allZones()).endpoints()).containsExactlyInAnyOrder(local, far);
        });
    }

    /**
     * Lists and watches each zone the store does not know (a sibling sharing the home zone's prefix, its parent,
     * another root), expecting {@code IllegalArgumentException} naming the zone. Scale: about three zones, two calls
     * each; no waits.
     */
    @Test
    @DisplayName("4.4 list and watch of a zone the store does not know (a sibling sharing the home zone's prefix, its "
            + "parent, another root) fail with IllegalArgumentException naming the zone")
    default void unknownZonesAreRefused(TckContext tck) {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        store.register(endpoint(service, tck.home(), 1), tck.longLived());
        List<Zone> unknown = new ArrayList<>(ZoneEdges.outside(tck.home()));
        unknown.removeIf(z -> store.zones().contains(z));
        assertThat(unknown).isNotEmpty();
        for (Zone zone : unknown) {
            assertThatThrownBy(() -> store.list(service, zone)).as("list of %s", zone)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(zone.path());
            SnapshotRecorder rec = new SnapshotRecorder();
            assertThatThrownBy(() -> tck.watch(store, service, zone, rec)).as("watch of %s", zone)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(zone.path());
        }
    }

    /**
     * Registers one endpoint in each zone, only the remote one kept alive, and checks a {@code Directory}'s
     * nearest-first lookup gives the home one, then the remote one once the home one is critical, then the home one
     * again once renewed. Scale: two endpoints; waits down-after plus the core's update bound.
     */
    @Test
    @DisplayName("4.5 nearest-first falls back to another zone only while the home zone has no healthy endpoint")
    default void nearestFailsOverOnlyWhenHomeHasNone(TckContext tck) {
        EndpointStore homeStore = tck.open(tck.home());
        EndpointStore remoteStore = tck.open(tck.remote());
        String service = newService();
        homeStore.register(endpoint(service, tck.home(), 1), tck.policy());
        tck.heartbeater(remoteStore).register(endpoint(service, tck.remote(), 2), tck.policy());
        Directory dir = tck.directory(homeStore);

        tck.within(tck.coreUpdate()).until(() -> ids(dir, Query.of(service)).equals(Set.of("e1")));
        tck.within(tck.downDetection().plus(tck.coreUpdate()))
                .until(() -> ids(dir, Query.of(service)).equals(Set.of("e2")));
        homeStore.renew(service, "e1");
        tck.within(tck.coreUpdate()).until(() -> ids(dir, Query.of(service)).equals(Set.of("e1")));
    }

    /**
     * Stops the federated zone's server and checks that the home-zone store refuses that zone with {@code
     * StoreUnavailableException} while still listing its own, and that a {@code Directory}'s home and nearest lookups
     * and selections keep working. Scale: one outage, two endpoints.
     */
    @Test
    @DisplayName("4.6 losing the federated zone's server never breaks home-zone lookups")
    default void losingRemoteZoneKeepsHomeWorking(TckContext tck) throws Exception {
        EndpointStore homeStore = tck.open(tck.home());
        EndpointStore remoteStore = tck.open(tck.remote());
        String service = newService();
        tck.heartbeater(homeStore).register(endpoint(service, tck.home(), 1), tck.policy());
        tck.heartbeater(remoteStore).register(endpoint(service, tck.remote(), 2), tck.policy());
        Directory dir = tck.directory(homeStore);
        tck.within(tck.coreUpdate()).until(() -> ids(dir, Query.of(service).allZones()).size() == 2);

        tck.whileStopped(tck.remote(), () -> {
            tck.within(tck.propagation()).untilAsserted(() -> assertThatThrownBy(() -> homeStore.list(service, tck.remote()))
                    .isInstanceOf(StoreUnavailableException.class));
            assertThat(homeStore.list(service, tck.home())).extracting(st -> st.endpoint().id()).containsExactly("e1");
            assertThat(ids(dir, Query.of(service))).containsExactly("e1");
            assertThat(ids(dir, Query.of(service).home())).containsExactly("e1");
            assertThat(ids(dir, Query.of(service).allZones())).contains("e1");
            try (Selection s = dir.select(Query.of(service))) {
                assertThat(s.endpoint().id()).isEqualTo("e1");
            }
        });
    }

    private static Set<String> ids(Directory dir, Query query) {
        return dir.resolve(query).endpoints().stream().map(Endpoint::id).collect(Collectors.toSet());
    }
}

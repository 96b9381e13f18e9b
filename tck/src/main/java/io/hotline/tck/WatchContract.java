package io.hotline.tck;

import static io.hotline.tck.TckContext.endpoint;
import static io.hotline.tck.TckContext.newService;
import static io.hotline.tck.TckContext.withoutSince;
import static org.assertj.core.api.Assertions.assertThat;

import io.hotline.discovery.Directory;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.Heartbeater;
import io.hotline.discovery.Query;
import io.hotline.discovery.Resolution;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.Watch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Contract 3, watch: a first snapshot promptly, equal to {@code list}; then every change (register, health, expiry,
 * deregister) within the propagation bound, every field kept, in order, never back to an older state; only the service
 * and zone watched; nothing after {@code onError} or {@code close}.
 *
 * <p>Scale: up to 20 endpoints and 40 changes per watch (3.4); 3.9 and 3.11 stop the home zone's server once, and
 * 3.6 waits for an expiry as long as 2.4 does.
 */
public interface WatchContract {

    /**
     * Registers three endpoints, then starts a watch: its first snapshot must come within the propagation bound and
     * equal {@code list}. Scale: three endpoints.
     */
    @Test
    @DisplayName("3.1 the first snapshot comes within the propagation bound and equals the list")
    default void firstSnapshotIsTheCurrentList(TckContext tck) {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        for (int i = 1; i <= 3; i++) {
            store.register(endpoint(service, tck.home(), i), tck.longLived());
        }
        tck.within(tck.propagation()).until(() -> store.list(service, tck.home()).size() == 3);
        List<EndpointStatus> listed = store.list(service, tck.home());

        SnapshotRecorder rec = tck.watching(store, service, tck.home());
        assertThat(rec.snapshots().get(0)).as("the first snapshot").containsExactlyInAnyOrderElementsOf(listed);
    }

    /**
     * Watches a service while one endpoint is registered, turns critical for want of renewal, and is deregistered; each
     * change must show within the propagation bound, with no {@code onError}. Scale: one endpoint; waits down-after
     * plus the propagation bound.
     */
    @Test
    @DisplayName("3.2 a watcher sees register, health change and deregister, each within the propagation bound")
    default void seesEveryKindOfChange(TckContext tck) {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        SnapshotRecorder rec = tck.watching(store, service, tck.home());
        assertThat(rec.latest()).isEmpty();

        store.register(endpoint(service, tck.home(), 1), tck.policy());
        long registered = System.nanoTime();
        tck.by(registered + tck.propagation().toNanos(), tck.propagation())
                .until(() -> rec.latest().get("e1") == Health.PASSING);
        tck.by(registered + tck.downDetection().toNanos(), tck.propagation())
                .until(() -> rec.latest().get("e1") == Health.CRITICAL);
        store.deregister(service, "e1");
        long deregistered = System.nanoTime();
        tck.by(deregistered + tck.propagation().toNanos(), tck.propagation()).until(() -> rec.latest().isEmpty());
        assertThat(rec.errors()).isEmpty();
        assertThat(rec.protocolViolations()).isEmpty();
    }

    /**
     * Watches a service while the nine endpoints at the model's edges (as in 1.2, in a child zone) and one plain one
     * are registered; the latest snapshot must equal them field for field. Scale: ten endpoints.
     */
    @Test
    @DisplayName("3.3 snapshots keep every field of everything the model allows, as list does")
    default void snapshotsKeepEveryField(TckContext tck) {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        SnapshotRecorder rec = tck.watching(store, service, tck.home());

        List<Endpoint> edges = new ArrayList<>(ModelLimits.edgeEndpoints(service, tck.home().child("cell-1")));
        edges.add(endpoint(service, tck.home(), 1));
        for (Endpoint e : edges) {
            store.register(e, tck.longLived());
        }
        List<EndpointStatus> expected = edges.stream().map(e -> new EndpointStatus(e, Health.PASSING)).toList();
        tck.within(tck.propagation()).untilAsserted(
                () -> assertThat(withoutSince(rec.latestSnapshot())).containsExactlyInAnyOrderElementsOf(expected));
    }

    /**
     * Watches a service while 20 endpoints are registered one after another and then deregistered in the same order:
     * snapshots must only grow while registering, only shrink while deregistering, and lose endpoints in the order they
     * were removed. Scale: 20 endpoints, 40 changes.
     */
    @Test
    @DisplayName("3.4 snapshots arrive in order and never go back to an older state")
    default void snapshotsArriveInOrder(TckContext tck) {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        SnapshotRecorder rec = tck.watching(store, service, tck.home());

        int n = 20;
        for (int i = 0; i < n; i++) {
            store.register(endpoint(service, tck.home(), i), tck.longLived());
        }
        tck.within(tck.propagation()).until(() -> rec.latest().size() == n);
        for (int i = 0; i < n; i++) {
            store.deregister(service, "e" + i);
        }
        tck.within(tck.propagation()).until(() -> rec.latest().isEmpty());

        List<Set<String>> seen = rec.snapshots().stream()
                .map(s -> s.stream().map(st -> st.endpoint().id()).collect(Collectors.toSet()))
                .toList();
        int peak = 0;
        for (int i = 1; i < seen.size(); i++) {
            if (seen.get(i).size() > seen.get(peak).size()) {
                peak = i;
            }
        }
        for (int i = 1; i <= peak; i++) {
            assertThat(seen.get(i)).as("snapshot %d while registering", i).containsAll(seen.get(i - 1));
        }
        for (int i = peak + 1; i < seen.size(); i++) {
            assertThat(seen.get(i - 1)).as("snapshot %d while deregistering", i).containsAll(seen.get(i));
            Set<String> removed = new HashSet<>(seen.get(i - 1));
            removed.removeAll(seen.get(i));
            for (String id : removed) {
                int k = Integer.parseInt(id.substring(1));
                for (String left : seen.get(i)) {
                    assertThat(Integer.parseInt(left.substring(1)))
                            .as("deregistered in order: %s gone while %s is still there", id, left)
                            .isGreaterThan(k);
                }
            }
        }
        assertThat(rec.protocolViolations()).isEmpty();
    }

    /**
     * Watches one endpoint turn critical, then two propagation bounds more: no snapshot may show it passing after one
     * showed it critical. Scale: one endpoint; waits down-after plus three propagation bounds.
     */
    @Test
    @DisplayName("3.5 health never goes back to passing without a renewal")
    default void healthNeverRevivesWithoutRenewal(TckContext tck) throws Exception {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        SnapshotRecorder rec = tck.watching(store, service, tck.home());
        store.register(endpoint(service, tck.home(), 1), tck.policy());
        tck.within(tck.downDetection()).until(() -> rec.latest().get("e1") == Health.CRITICAL);
        // Watch a while longer: a store that recomputes health from stale data flips back within a few rounds.
        Thread.sleep(tck.propagation().multipliedBy(2).toMillis());

        boolean critical = false;
        for (List<EndpointStatus> snapshot : rec.snapshots()) {
            Health h = TckContext.byId(snapshot).get("e1");
            if (h == Health.CRITICAL) {
                critical = true;
            } else if (h == Health.PASSING) {
                assertThat(critical).as("a snapshot with e1 passing after one with it critical, with no renewal since")
                        .isFalse();
            }
        }
        assertThat(rec.protocolViolations()).isEmpty();
    }

    /**
     * Watches one endpoint that is never renewed: it must leave the snapshots by deregister-after plus the
     * deregistration delay and the propagation bound, with no {@code onError}. Scale: one endpoint; waits as long as
     * 2.4.
     */
    @Test
    @DisplayName("3.6 an endpoint removed by expiry disappears from watches too, within the declared delay")
    default void expiryShowsInWatches(TckContext tck) {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        SnapshotRecorder rec = tck.watching(store, service, tck.home());
        store.register(endpoint(service, tck.home(), 1), tck.policy());
        long registered = System.nanoTime();
        tck.within(tck.propagation()).until(() -> rec.latest().containsKey("e1"));

        Duration removal = tck.timing().deregistrationDelay().plus(tck.propagation());
        tck.by(registered + tck.policy().deregisterAfter().toNanos() + removal.toNanos(), removal)
                .until(() -> rec.latest().isEmpty());
        assertThat(rec.errors()).isEmpty();
    }

    /**
     * Watches the federated zone through a home-zone store while a store of that zone registers and deregisters an
     * endpoint there; the watch must see both, and never the home zone's endpoint. Scale: two endpoints.
     */
    @Test
    @DisplayName("3.7 a watch of the federated zone sees that zone's changes")
    default void watchOfTheFederatedZone(TckContext tck) {
        EndpointStore homeStore = tck.open(tck.home());
        EndpointStore remoteStore = tck.open(tck.remote());
        String service = newService();
        homeStore.register(endpoint(service, tck.home(), 1), tck.longLived());
        SnapshotRecorder rec = tck.watching(homeStore, service, tck.remote());
        assertThat(rec.latest()).as("the federated zone holds nothing of this service yet").isEmpty();

        Endpoint far = endpoint(service, tck.remote(), 2);
        remoteStore.register(far, tck.longLived());
        tck.within(tck.propagation()).untilAsserted(() -> assertThat(withoutSince(rec.latestSnapshot()))
                .containsExactly(new EndpointStatus(far, Health.PASSING)));
        remoteStore.deregister(service, far.id());
        tck.within(tck.propagation()).until(() -> rec.latest().isEmpty());
        assertThat(rec.snapshots()).allSatisfy(s -> assertThat(s)
                .noneMatch(st -> st.endpoint().zone().equals(tck.home())));
    }

    /**
     * Watches a service while five services whose names look alike, then the service itself, get an endpoint; no
     * snapshot may hold anything but the service's own endpoint. Scale: six endpoints.
     */
    @Test
    @DisplayName("3.8 a watch delivers only its own service, never one whose name looks alike")
    default void watchSeesOnlyItsService(TckContext tck) throws Exception {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        SnapshotRecorder rec = tck.watching(store, service, tck.home());

        List<String> lookAlikes = List.of(service + ".b", service + "c", service + "-", service.toUpperCase(),
                service.substring(0, service.length() - 1));
        for (int i = 0; i < lookAlikes.size(); i++) {
            store.register(endpoint(lookAlikes.get(i), tck.home(), i), tck.longLived());
        }
        Endpoint own = endpoint(service, tck.home(), 99);
        store.register(own, tck.longLived());
        // The look-alikes were registered first, so the snapshot that shows e99 already reflects them (3.4, in order).
        tck.within(tck.propagation()).until(() -> rec.latest().containsKey("e99"));
        assertThat(rec.snapshots()).allSatisfy(s -> assertThat(s)
                .allMatch(st -> st.endpoint().equals(own), "only " + service + "'s endpoint"));
    }

    /**
     * Stops the server under a watch until it reports {@code onError}, starts it, and writes to the service; the watch
     * must deliver nothing more and report exactly one error. Scale: one outage, one endpoint; waits up to three
     * propagation bounds for the error, then two more for silence.
     */
    @Test
    @DisplayName("3.9 after onError a watch delivers nothing more, even when the store comes back and changes")
    default void nothingAfterOnError(TckContext tck) throws Exception {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        SnapshotRecorder rec = tck.watching(store, service, tck.home());
        tck.whileStopped(tck.home(), () -> tck.within(tck.propagation().multipliedBy(3))
                .until(() -> !rec.errors().isEmpty()));

        EndpointStore writer = tck.open(tck.home());
        tck.within(tck.propagation()).untilAsserted(
                () -> writer.register(endpoint(service, tck.home(), 1), tck.longLived()));
        tck.within(tck.propagation()).until(() -> writer.list(service, tck.home()).size() == 1);
        // Asserting that nothing comes needs a wait: as long as a change takes to show, twice.
        Thread.sleep(tck.propagation().multipliedBy(2).toMillis());
        assertThat(rec.protocolViolations()).isEmpty();
        assertThat(rec.errors()).hasSize(1);
    }

    /**
     * Closes a watch after its first snapshot, registers an endpoint, and waits two propagation bounds: the watch must
     * deliver nothing. Scale: one endpoint.
     */
    @Test
    @DisplayName("3.10 a closed watch delivers nothing more")
    default void closedWatchIsSilent(TckContext tck) throws Exception {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        SnapshotRecorder rec = new SnapshotRecorder();
        Watch w = tck.watch(store, service, tck.home(), rec);
        tck.within(tck.propagation()).until(rec::hasSnapshot);
        w.close();
        int before = rec.count();
        store.register(endpoint(service, tck.home(), 1), tck.policy());
        Thread.sleep(tck.propagation().multipliedBy(2).toMillis());
        assertThat(rec.count()).isEqualTo(before);
    }

    /**
     * Keeps one endpoint registered through a {@code Heartbeater} and resolved by a {@code Directory}, stops the server
     * until the directory serves stale, starts it, registers a second endpoint: the directory must see both, fresh,
     * within the time a heartbeater takes to register again plus the core's update bound. Scale: one outage, two
     * endpoints.
     */
    @Test
    @DisplayName("3.11 a watcher in the core survives a store restart")
    default void watcherSurvivesRestart(TckContext tck) throws Exception {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        Directory dir = tck.directory(store);
        Heartbeater hb = tck.heartbeater(store);
        hb.register(endpoint(service, tck.home(), 1), tck.policy());
        tck.within(tck.coreUpdate()).until(() -> ids(dir.resolve(Query.of(service).home())).equals(Set.of("e1")));

        tck.whileStopped(tck.home(), () -> tck.within(tck.propagation().multipliedBy(3))
                .until(() -> dir.resolve(Query.of(service).home()).isStale()));
        hb.register(endpoint(service, tck.home(), 2), tck.policy());

        tck.within(tck.reRegistration().plus(tck.coreUpdate())).untilAsserted(() -> {
            Resolution r = dir.resolve(Query.of(service).home());
            assertThat(ids(r)).containsExactlyInAnyOrder("e1", "e2");
            assertThat(r.isStale()).isFalse();
        });
    }

    private static Set<String> ids(Resolution r) {
        return r.endpoints().stream().map(Endpoint::id).collect(Collectors.toSet());
    }
}

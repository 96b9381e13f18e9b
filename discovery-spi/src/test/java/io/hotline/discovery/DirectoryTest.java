package io.hotline.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.memory.MemorySpace;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.ForwardingEndpointStore;
import io.hotline.discovery.spi.Watch;
import io.hotline.discovery.spi.WatchListener;
import io.hotline.testing.Closer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DirectoryTest {

    private static final Zone AZ1 = Zone.of("region-one/az-1");
    private static final Zone AZ2 = Zone.of("region-one/az-2");
    private static final HealthPolicy SHORT =
            HealthPolicy.of(Duration.ofMillis(20), Duration.ofMillis(100), Duration.ofMinutes(1));

    private final String space = "directory-test-" + UUID.randomUUID();
    private final Closer closer = new Closer();

    @AfterEach
    void close() throws Exception {
        closer.close();
    }

    private EndpointStore store(Zone zone) {
        EndpointStore s = StoreProviders.load().open(HotlineConfig.of(Map.of("hotline.store", "memory",
                "hotline.memory.space", space, "hotline.zone", zone.path(), "hotline.memory.poll-interval", "10ms")));
        closer.track(s);
        return s;
    }

    private Directory directory(EndpointStore store, Zone clientZone) {
        Directory d = Directory.builder(store).zone(clientZone).zoneRefresh(Duration.ofMillis(50)).build();
        closer.track(d);
        return d;
    }

    private static Endpoint endpoint(String id, Zone zone, String... meta) {
        Endpoint.Builder b = Endpoint.builder("nova.scheduler").id(id).host("127.0.0.1").port(20000)
                .zone(zone);
        for (int i = 0; i < meta.length; i += 2) {
            b.metadata(meta[i], meta[i + 1]);
        }
        return b.build();
    }

    private static Set<String> ids(Resolution r) {
        return r.endpoints().stream().map(Endpoint::id).collect(Collectors.toSet());
    }

    @Test
    void nearestPrefersTheDeepestSharedZoneInsideTheHomeZone() {
        EndpointStore s = store(AZ1);
        s.register(endpoint("cell7", AZ1.child("cell-7")), HealthPolicy.DEFAULT);
        s.register(endpoint("cell2", AZ1.child("cell-2")), HealthPolicy.DEFAULT);
        s.register(endpoint("az", AZ1), HealthPolicy.DEFAULT);

        assertThat(ids(directory(s, AZ1.child("cell-7")).resolve(Query.of("nova.scheduler")))).containsExactly("cell7");
        assertThat(ids(directory(s, AZ1.child("cell-9")).resolve(Query.of("nova.scheduler"))))
                .containsExactlyInAnyOrder("cell7", "cell2", "az");
        assertThat(ids(directory(s, AZ1).resolve(Query.of("nova.scheduler").in(AZ1.child("cell-2")))))
                .containsExactly("cell2");
    }

    @Test
    void capabilityFiltersNarrowTheChoice() {
        EndpointStore s = store(AZ1);
        s.register(endpoint("small", AZ1, "free_disk_gb", "20"), HealthPolicy.DEFAULT);
        s.register(endpoint("big", AZ1, "free_disk_gb", "500"), HealthPolicy.DEFAULT);
        Directory d = directory(s, AZ1);
        assertThat(ids(d.resolve(Query.of("nova.scheduler").where("free_disk_gb>=100")))).containsExactly("big");
        assertThatThrownBy(() -> d.select(Query.of("nova.scheduler").where("free_disk_gb>=1000")))
                .isInstanceOf(NoEndpointException.class)
                .hasMessage("no healthy endpoint for nova.scheduler in region-one/az-1 "
                        + "(2 registered, 2 passing, none matching free_disk_gb>=1000)");
    }

    @Test
    void emptyResultsExplainWhatWasFoundAndWhereElse() {
        EndpointStore home = store(AZ1);
        EndpointStore remote = store(AZ2);
        home.register(endpoint("a", AZ1), SHORT);
        home.register(endpoint("b", AZ1), SHORT);
        for (String id : List.of("c", "d", "e")) {
            remote.register(endpoint(id, AZ2), HealthPolicy.DEFAULT);
        }
        Directory d = directory(home, AZ1);
        // a and b may be critical already (down after 100 ms) on a loaded machine; all five are registered.
        assertThat(ids(d.resolve(Query.of("nova.scheduler").allZones().includingUnhealthy()))).hasSize(5);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThatThrownBy(
                () -> d.select(Query.of("nova.scheduler").home()))
                .isInstanceOf(NoEndpointException.class)
                .hasMessage("no healthy endpoint for nova.scheduler in region-one/az-1 (2 registered, both critical; "
                        + "nearest other zone: region-one/az-2 has 3 passing)"));
        assertThat(ids(d.resolve(Query.of("nova.scheduler")))).containsExactlyInAnyOrder("c", "d", "e");
        assertThatThrownBy(() -> d.select(Query.of("nova.unknown")))
                .hasMessage("no healthy endpoint for nova.unknown in region-one/az-1 (none registered)");
        assertThatThrownBy(() -> d.select(Query.of("nova.scheduler").in(Zone.of("region-two"))))
                .hasMessageContaining("zone region-two is not known to the store (known zones: region-one/az-1");
    }

    @Test
    void queriesBuiltFromRequestDataDoNotGrowTheCacheWithoutBound() {
        EndpointStore s = store(AZ1);
        s.register(endpoint("small", AZ1, "free_disk_gb", "20"), HealthPolicy.DEFAULT);
        s.register(endpoint("big", AZ1, "free_disk_gb", "500"), HealthPolicy.DEFAULT);
        Directory d = directory(s, AZ1);

        for (int gb = 0; gb < 3 * Directory.MAX_CACHED_QUERIES; gb++) {
            Set<String> expected = gb <= 20 ? Set.of("small", "big") : gb <= 500 ? Set.of("big") : Set.of();
            assertThat(ids(d.resolve(Query.of("nova.scheduler").where("free_disk_gb>=" + gb)))).isEqualTo(expected);
            assertThat(d.cachedQueries()).isLessThanOrEqualTo(Directory.MAX_CACHED_QUERIES);
        }
    }

    @Test
    void roundRobinVisitsEveryEndpointInTurn() {
        EndpointStore s = store(AZ1);
        for (int i = 0; i < 5; i++) {
            s.register(endpoint("e" + i, AZ1), HealthPolicy.DEFAULT);
        }
        Directory d = directory(s, AZ1);
        List<String> picks = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            try (Selection sel = d.select(Query.of("nova.scheduler"), SelectionStrategy.ROUND_ROBIN)) {
                picks.add(sel.endpoint().id());
            }
        }
        assertThat(new HashSet<>(picks.subList(0, 5))).hasSize(5);
        assertThat(picks.subList(5, 10)).isEqualTo(picks.subList(0, 5));
    }

    @Test
    void leastInFlightAvoidsTheBusyEndpoint() {
        EndpointStore s = store(AZ1);
        s.register(endpoint("a", AZ1), HealthPolicy.DEFAULT);
        s.register(endpoint("b", AZ1), HealthPolicy.DEFAULT);
        Directory d = Directory.builder(s).strategy(SelectionStrategy.LEAST_IN_FLIGHT).build();
        closer.track(d);
        Query q = Query.of("nova.scheduler");
        try (Selection held = d.select(q)) {
            String busy = held.endpoint().id();
            for (int i = 0; i < 50; i++) {
                try (Selection sel = d.select(q)) {
                    assertThat(sel.endpoint().id()).isNotEqualTo(busy);
                }
            }
        }
    }

    @Test
    void randomSpreadsOverAllEndpoints() {
        EndpointStore s = store(AZ1);
        for (int i = 0; i < 4; i++) {
            s.register(endpoint("e" + i, AZ1), HealthPolicy.DEFAULT);
        }
        Directory d = directory(s, AZ1);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 400; i++) {
            try (Selection sel = d.select(Query.of("nova.scheduler"))) {
                seen.add(sel.endpoint().id());
            }
        }
        assertThat(seen).hasSize(4);
    }

    @Test
    void aClosedDirectoryRefusesQueries() {
        Directory d = Directory.builder(store(AZ1)).build();
        d.close();
        assertThatThrownBy(() -> d.resolve(Query.of("nova.scheduler"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void builderRejectsNonsense() {
        Directory.Builder b = Directory.builder(store(AZ1));
        assertThatThrownBy(() -> b.retryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.zoneRefresh(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- a store that comes back empty (issue 13, defect 11) ---------------------------------------------------

    /** A directory that re-opens a failed watch within milliseconds, so that tests see the store's return soon. */
    private Directory quickRecovering(EndpointStore store, Duration reportInterval) {
        Directory d = Directory.builder(store).zone(AZ1).retryBackoff(Duration.ofMillis(10), Duration.ofMillis(50))
                .reportInterval(reportInterval).build();
        closer.track(d);
        return d;
    }

    /** Stops the zone's memory server until the directory serves {@code query} from its cache, then starts it empty. */
    private void restartEmpty(Directory d, Query query) {
        MemorySpace.named(space).stop(AZ1);
        await().atMost(Duration.ofSeconds(5)).until(() -> d.resolve(query).isStale());
        MemorySpace.named(space).start(AZ1);
    }

    private static Map<String, Boolean> staleById(Directory d, Query q, int selections) {
        Map<String, Boolean> seen = new java.util.TreeMap<>();
        for (int i = 0; i < selections; i++) {
            try (Selection s = d.select(q, SelectionStrategy.ROUND_ROBIN)) {
                seen.put(s.endpoint().id(), s.isStale());
            }
        }
        return seen;
    }

    @Test
    void aStoreBackEmptyKeepsTheEndpointsItListedBeforeMarkedStaleUntilTheyRegisterAgain() {
        EndpointStore s = store(AZ1);
        s.register(endpoint("a", AZ1), HealthPolicy.DEFAULT);
        s.register(endpoint("b", AZ1), HealthPolicy.DEFAULT);
        Directory d = quickRecovering(s, Duration.ofSeconds(10));
        Query q = Query.of("nova.scheduler");
        assertThat(ids(d.resolve(q))).containsExactlyInAnyOrder("a", "b");

        restartEmpty(d, q);
        // A server that registers after the store's return is used at once; its answer shows the store is back.
        s.register(endpoint("c", AZ1), HealthPolicy.DEFAULT);
        await().atMost(Duration.ofSeconds(5)).until(() -> ids(d.resolve(q)).contains("c"));
        assertThat(ids(d.resolve(q))).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(d.resolve(q).isStale()).isTrue();
        assertThat(staleById(d, q, 3)).isEqualTo(Map.of("a", true, "b", true, "c", false));

        // A held endpoint that registers again is the store's again; one the store lists and then loses is gone
        // at once, as a normal deregistration.
        s.register(endpoint("a", AZ1), HealthPolicy.DEFAULT);
        s.deregister("nova.scheduler", "c");
        await().atMost(Duration.ofSeconds(5)).until(() -> ids(d.resolve(q)).equals(Set.of("a", "b")));
        assertThat(staleById(d, q, 2)).isEqualTo(Map.of("a", false, "b", true));
    }

    @Test
    void heldEndpointsAreDroppedOnceTheHoldIsOver() {
        EndpointStore s = store(AZ1);
        s.register(endpoint("a", AZ1), HealthPolicy.DEFAULT);
        Directory d = quickRecovering(s, Duration.ofMillis(200));
        Query q = Query.of("nova.scheduler");
        assertThat(ids(d.resolve(q))).containsExactly("a");

        restartEmpty(d, q);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThatThrownBy(() -> d.select(q))
                .isInstanceOf(NoEndpointException.class)
                .hasMessage("no healthy endpoint for nova.scheduler in region-one/az-1 (none registered)"));
        assertThat(d.resolve(q).isStale()).isFalse();
    }

    @Test
    void withoutAStoreFailureAShorterListAppliesAtOnce() {
        EndpointStore s = store(AZ1);
        s.register(endpoint("a", AZ1), HealthPolicy.DEFAULT);
        s.register(endpoint("b", AZ1), HealthPolicy.DEFAULT);
        Directory d = quickRecovering(s, Duration.ofSeconds(10));
        Query q = Query.of("nova.scheduler");
        assertThat(ids(d.resolve(q))).containsExactlyInAnyOrder("a", "b");

        s.deregister("nova.scheduler", "b");
        await().atMost(Duration.ofSeconds(5)).until(() -> ids(d.resolve(q)).equals(Set.of("a")));
        assertThat(d.resolve(q).isStale()).isFalse();
    }

    @Test
    void theReportIntervalComesFromTheKeyTheServersRead() {
        Directory.Builder b = Directory.builder(store(AZ1));
        assertThatThrownBy(() -> b.config(HotlineConfig.of(Map.of(HealthPolicy.REPORT_INTERVAL, "soon"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(HealthPolicy.REPORT_INTERVAL);
        assertThatThrownBy(() -> b.reportInterval(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        b.config(HotlineConfig.of(Map.of(HealthPolicy.REPORT_INTERVAL, "2s")));
    }

    // ---- a large service, one change at a time (issue 18) ------------------------------------------------------

    /** A store over {@link #store} whose watch this test feeds: {@link #fed} holds the directory's listener. */
    private final AtomicReference<WatchListener> fed = new AtomicReference<>();

    private Directory fedDirectory(List<EndpointStatus> first) {
        EndpointStore s = new ForwardingEndpointStore(store(AZ1)) {
            @Override
            public List<EndpointStatus> list(String service, Zone zone) {
                return first;
            }

            @Override
            public Watch watch(String service, Zone zone, WatchListener listener) {
                fed.set(listener);
                return () -> { };
            }
        };
        Directory d = Directory.builder(s).zone(AZ1).ejection(Duration.ofSeconds(1), Duration.ofSeconds(8))
                .ticker(now::get).build();
        closer.track(d);
        return d;
    }

    private static List<EndpointStatus> passing(int n) {
        List<EndpointStatus> all = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            all.add(new EndpointStatus(endpoint("host-" + i, AZ1, "free_disk_gb", Integer.toString(i % 100)),
                    Health.PASSING));
        }
        return all;
    }

    private static int indexOf(Resolution r, String id) {
        for (int i = 0; i < r.size(); i++) {
            if (r.endpoints().get(i).id().equals(id)) {
                return i;
            }
        }
        throw new AssertionError(id + " is not in " + r);
    }

    @Test
    void oneChangeInAServiceOf13000EndpointsAppliesAndEveryOtherEndpointKeepsItsState() {
        List<EndpointStatus> all = passing(13_000);
        Directory d = fedDirectory(all);
        Query q = Query.of("nova.scheduler");
        Resolution first = d.resolve(q);
        assertThat(first.size()).isEqualTo(13_000);
        // host-7 stops answering: ejected for a second.
        fail(first.selection(indexOf(first, "host-7")));

        List<EndpointStatus> next = new ArrayList<>(all);
        next.set(42, new EndpointStatus(all.get(42).endpoint(), Health.CRITICAL));
        next.set(43, new EndpointStatus(all.get(43).endpoint().toBuilder().metadata("free_disk_gb", "1000").build(),
                Health.PASSING));
        fed.get().onSnapshot(next);

        Resolution after = d.resolve(q);
        assertThat(after).isNotSameAs(first);
        assertThat(ids(after)).hasSize(12_999).doesNotContain("host-42");
        assertThat(after.endpoints().get(indexOf(after, "host-43")).metadata()).containsEntry("free_disk_gb", "1000");
        assertThat(after.admits(indexOf(after, "host-7"))).as("host-7 is still ejected").isFalse();
        assertThat(after.admits(indexOf(after, "host-8"))).isTrue();
        assertThat(d.resolve(Query.of("nova.scheduler").includingUnhealthy()).size()).isEqualTo(13_000);
    }

    @Test
    void aSnapshotEqualToTheLastKeepsTheCachedResolution() {
        List<EndpointStatus> all = passing(1_000);
        Directory d = fedDirectory(all);
        Query q = Query.of("nova.scheduler");
        // The first resolution lists the zones and the service, which changes what it was computed from.
        d.resolve(q);
        Resolution first = d.resolve(q);
        // Equal, not the same objects (a store decodes its records again), and in another order.
        List<EndpointStatus> again = passing(1_000);
        Collections.reverse(again);
        fed.get().onSnapshot(again);
        assertThat(d.resolve(q)).isSameAs(first);
    }

    @Test
    void aStoreThatListsOneIdTwiceInPlaceOfAnotherLosesTheOther() {
        List<EndpointStatus> ab = passing(2);
        Directory d = fedDirectory(ab);
        Query q = Query.of("nova.scheduler");
        assertThat(ids(d.resolve(q))).containsExactlyInAnyOrder("host-0", "host-1");
        // As many entries as before, each equal to one listed before: still a change, since host-1 is gone.
        fed.get().onSnapshot(List.of(ab.get(0), ab.get(0)));
        assertThat(ids(d.resolve(q))).containsExactly("host-0");
    }

    // ---- outlier ejection (issue 13, defect 12) ----------------------------------------------------------------

    private final AtomicLong now = new AtomicLong();

    /** Three endpoints a, b, c; ejections of 1 s doubling to 8 s, timed by {@link #now}. */
    private Directory ejecting(SelectionStrategy strategy, String... ids) {
        EndpointStore s = store(AZ1);
        for (String id : ids) {
            s.register(endpoint(id, AZ1), HealthPolicy.DEFAULT);
        }
        Directory d = Directory.builder(s).strategy(strategy).ejection(Duration.ofSeconds(1), Duration.ofSeconds(8))
                .ticker(now::get).build();
        closer.track(d);
        return d;
    }

    /** Selects until {@code id} comes up; fails if it does not within 200 tries. */
    private static Selection selectId(Directory d, String id) {
        for (int i = 0; i < 200; i++) {
            Selection s = d.select(Query.of("nova.scheduler"));
            if (s.endpoint().id().equals(id)) {
                return s;
            }
            s.close();
        }
        throw new AssertionError(id + " not selected in 200 tries");
    }

    private static Set<String> picked(Directory d, int selections) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < selections; i++) {
            try (Selection s = d.select(Query.of("nova.scheduler"))) {
                seen.add(s.endpoint().id());
            }
        }
        return seen;
    }

    private static void fail(Selection s) {
        s.failed();
        s.close();
    }

    @Test
    void anEndpointThatFailedIsNotSelectedWhileOthersAre() {
        for (SelectionStrategy strategy : SelectionStrategy.values()) {
            Directory d = ejecting(strategy, "a", "b", "c");
            fail(selectId(d, "a"));
            assertThat(picked(d, 300)).as(strategy.name()).containsExactlyInAnyOrder("b", "c");
        }
    }

    @Test
    void theBackoffDoublesWhileTheEndpointKeepsFailingAndOneCallerAloneTriesItAgain() {
        Directory d = ejecting(SelectionStrategy.RANDOM, "a", "b", "c");
        fail(selectId(d, "a"));
        now.addAndGet(Duration.ofMillis(999).toNanos());
        assertThat(picked(d, 300)).doesNotContain("a");
        now.addAndGet(Duration.ofMillis(1).toNanos());

        Selection probe = selectId(d, "a");
        assertThat(picked(d, 300)).as("others keep away while one tries it").doesNotContain("a");
        fail(probe);
        now.addAndGet(Duration.ofMillis(1999).toNanos());
        assertThat(picked(d, 300)).as("2 s after the second failure").doesNotContain("a");
        now.addAndGet(Duration.ofMillis(1).toNanos());
        fail(selectId(d, "a"));
        now.addAndGet(Duration.ofMillis(3999).toNanos());
        assertThat(picked(d, 300)).as("4 s after the third").doesNotContain("a");
        now.addAndGet(Duration.ofMillis(1).toNanos());
        fail(selectId(d, "a"));
        now.addAndGet(Duration.ofSeconds(8).toNanos());
        fail(selectId(d, "a"));
        now.addAndGet(Duration.ofMillis(7999).toNanos());
        assertThat(picked(d, 300)).as("capped at 8 s").doesNotContain("a");
    }

    @Test
    void anAnswerReadmitsTheEndpointAndResetsTheBackoff() {
        Directory d = ejecting(SelectionStrategy.RANDOM, "a", "b", "c");
        fail(selectId(d, "a"));
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        fail(selectId(d, "a"));
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        selectId(d, "a").close();
        assertThat(picked(d, 300)).containsExactlyInAnyOrder("a", "b", "c");

        fail(selectId(d, "a"));
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(picked(d, 300)).as("ejected for the base again").contains("a");
    }

    @Test
    void callsInFlightBeforeAnEjectionDoNotLengthenIt() {
        Directory d = ejecting(SelectionStrategy.RANDOM, "a", "b");
        List<Selection> inFlight = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            inFlight.add(selectId(d, "a"));
        }
        inFlight.forEach(DirectoryTest::fail);
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(picked(d, 300)).contains("a");
    }

    @Test
    void whenEveryEndpointIsEjectedOneIsPickedAllTheSame() {
        Directory d = ejecting(SelectionStrategy.RANDOM, "a", "b");
        fail(selectId(d, "a"));
        fail(selectId(d, "b"));
        Set<String> picked = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            Selection s = d.select(Query.of("nova.scheduler"));
            picked.add(s.endpoint().id());
            s.failed();
            s.close();
        }
        assertThat(picked).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void ejectionBoundsAreValidated() {
        Directory.Builder b = Directory.builder(store(AZ1));
        assertThatThrownBy(() -> b.ejection(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ejection needs 0 < base <= max, got PT2S and PT1S");
        assertThatThrownBy(() -> b.ejection(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

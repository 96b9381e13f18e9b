package io.hotline.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DirectoryTest {

    private static final Zone AZ1 = Zone.of("region-one/az-1");
    private static final Zone AZ2 = Zone.of("region-one/az-2");
    private static final HealthPolicy SHORT =
            HealthPolicy.of(Duration.ofMillis(20), Duration.ofMillis(100), Duration.ofMinutes(1));

    private final String space = "directory-test-" + UUID.randomUUID();
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    private EndpointStore store(Zone zone) {
        EndpointStore s = StoreProviders.load().open(HotlineConfig.of(Map.of("hotline.store", "memory",
                "hotline.memory.space", space, "hotline.zone", zone.path(), "hotline.memory.poll-interval", "10ms")));
        opened.add(s);
        return s;
    }

    private Directory directory(EndpointStore store, Zone clientZone) {
        Directory d = Directory.builder(store).zone(clientZone).zoneRefresh(Duration.ofMillis(50)).build();
        opened.add(d);
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
        assertThat(ids(d.resolve(Query.of("nova.scheduler").allZones()))).hasSize(5);

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
        opened.add(d);
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
}

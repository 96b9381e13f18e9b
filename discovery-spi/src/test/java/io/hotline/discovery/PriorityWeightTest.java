package io.hotline.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;
import static org.awaitility.Awaitility.await;

import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.testing.Closer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** RFC 2782 priority and weight in the Directory's selection, for every strategy. */
class PriorityWeightTest {

    private static final Zone AZ1 = Zone.of("region-one/az-1");
    private static final Zone AZ2 = Zone.of("region-one/az-2");
    private static final Query Q = Query.of("nova.scheduler");
    /** Far more picks than the tolerance needs: a share's standard deviation is at most 0.0035 at 20,000 picks. */
    private static final int PICKS = 20_000;
    /** Some nine standard deviations: a correct selection never strays this far, a wrong one (uniform) always does. */
    private static final double TOLERANCE = 0.03;

    private final String space = "priority-weight-test-" + UUID.randomUUID();
    private final Closer closer = new Closer();
    private final AtomicLong now = new AtomicLong();

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

    private Directory directory(EndpointStore store, SelectionStrategy strategy) {
        Directory d = Directory.builder(store).zone(AZ1).strategy(strategy)
                .ejection(Duration.ofSeconds(1), Duration.ofSeconds(8)).ticker(now::get).build();
        closer.track(d);
        return d;
    }

    private static Endpoint endpoint(String id, int priority, int weight) {
        return Endpoint.builder("nova.scheduler").id(id).host("127.0.0.1").port(20000).zone(AZ1)
                .priority(priority).weight(weight).build();
    }

    private static void register(EndpointStore s, HealthPolicy policy, Endpoint... endpoints) {
        for (Endpoint e : endpoints) {
            s.register(e, policy);
        }
    }

    /** How often each id came up in {@code picks} selections, each closed at once. */
    private static Map<String, Integer> counts(Directory d, Query q, int picks) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < picks; i++) {
            try (Selection s = d.select(q)) {
                counts.merge(s.endpoint().id(), 1, Integer::sum);
            }
        }
        return counts;
    }

    private static Set<String> picked(Directory d, Query q, int picks) {
        return counts(d, q, picks).keySet();
    }

    private static void assertShares(Map<String, Integer> counts, Map<String, Double> expected, String as) {
        assertThat(counts.keySet()).as(as).isEqualTo(expected.keySet());
        expected.forEach((id, share) -> assertThat(counts.get(id) / (double) PICKS).as(as + ": share of " + id)
                .isCloseTo(share, offset(TOLERANCE)));
    }

    /** Selects until {@code id} comes up and keeps it open; fails if it does not within 500 tries. */
    private static Selection selectId(Directory d, String id) {
        for (int i = 0; i < 500; i++) {
            Selection s = d.select(Q);
            if (s.endpoint().id().equals(id)) {
                return s;
            }
            s.close();
        }
        throw new AssertionError(id + " not selected in 500 tries");
    }

    private static void fail(Selection s) {
        s.failed();
        s.close();
    }

    @Test
    void randomAndLeastInFlightPickInProportionToTheWeightsAndNeverWeightZero() {
        EndpointStore s = store(AZ1);
        register(s, HealthPolicy.DEFAULT, endpoint("a", 0, 1), endpoint("b", 0, 3), endpoint("c", 0, 6),
                endpoint("zero", 0, 0));
        for (SelectionStrategy strategy : List.of(SelectionStrategy.RANDOM, SelectionStrategy.LEAST_IN_FLIGHT)) {
            assertShares(counts(directory(s, strategy), Q, PICKS), Map.of("a", 0.1, "b", 0.3, "c", 0.6),
                    strategy.name());
        }
    }

    @Test
    void roundRobinGivesEachItsWeightsTurnsInEveryCycleSpreadOut() {
        EndpointStore s = store(AZ1);
        register(s, HealthPolicy.DEFAULT, endpoint("a", 0, 1), endpoint("b", 0, 3), endpoint("c", 0, 6),
                endpoint("zero", 0, 0));
        Directory d = directory(s, SelectionStrategy.ROUND_ROBIN);
        List<String> picks = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            try (Selection sel = d.select(Q)) {
                picks.add(sel.endpoint().id());
            }
        }
        for (int cycle = 0; cycle < 3; cycle++) {
            Map<String, Long> perCycle = picks.subList(cycle * 10, cycle * 10 + 10).stream()
                    .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
            assertThat(perCycle).as("cycle %d of %s", cycle, picks).isEqualTo(Map.of("a", 1L, "b", 3L, "c", 6L));
        }
        String all = String.join("", picks.stream().map(id -> id.substring(0, 1)).toList());
        assertThat(all).as("the heaviest is interleaved, not taken in a run").doesNotContain("ccc");
    }

    @Test
    void weightZeroEverywhereIsPickedAlike() {
        EndpointStore s = store(AZ1);
        register(s, HealthPolicy.DEFAULT, endpoint("a", 0, 0), endpoint("b", 0, 0), endpoint("c", 0, 0),
                endpoint("backup", 1, 5));
        for (SelectionStrategy strategy : SelectionStrategy.values()) {
            assertShares(counts(directory(s, strategy), Q, PICKS), Map.of("a", 1 / 3.0, "b", 1 / 3.0, "c", 1 / 3.0),
                    strategy.name());
        }
    }

    @Test
    void onlyTheBestPriorityIsChosenFromWhileTheResolutionKeepsEveryPriority() {
        EndpointStore s = store(AZ1);
        register(s, HealthPolicy.DEFAULT, endpoint("p1-a", 1, 1), endpoint("p1-b", 1, 1), endpoint("p5", 5, 100),
                endpoint("p0", 0, 1));
        for (SelectionStrategy strategy : SelectionStrategy.values()) {
            Directory d = directory(s, strategy);
            assertThat(picked(d, Q, 500)).as(strategy.name()).containsExactly("p0");
            assertThat(d.resolve(Q).endpoints()).extracting(Endpoint::id)
                    .containsExactlyInAnyOrder("p0", "p1-a", "p1-b", "p5");
        }
        s.deregister("nova.scheduler", "p0");
        Directory d = directory(s, SelectionStrategy.RANDOM);
        assertThat(picked(d, Q, 500)).as("the next priority once the best is gone")
                .containsExactlyInAnyOrder("p1-a", "p1-b");
    }

    @Test
    void aWorsePriorityTakesOverWhileEveryEndpointOfTheBestIsCriticalAndHandsBackWhenOneRecovers() {
        EndpointStore s = store(AZ1);
        HealthPolicy shortLived = HealthPolicy.of(Duration.ofMillis(20), Duration.ofMillis(100), Duration.ofMinutes(1));
        register(s, shortLived, endpoint("best-1", 0, 1), endpoint("best-2", 0, 1));
        register(s, HealthPolicy.DEFAULT, endpoint("backup", 7, 1));
        for (SelectionStrategy strategy : SelectionStrategy.values()) {
            Directory d = directory(s, strategy);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(
                    () -> assertThat(picked(d, Q, 50)).as(strategy.name()).containsExactly("backup"));
            assertThat(picked(d, Q.includingUnhealthy(), 200)).as("critical ones count when the query includes them")
                    .containsExactlyInAnyOrder("best-1", "best-2");
        }
        Directory d = directory(s, SelectionStrategy.RANDOM);
        s.register(endpoint("best-2", 0, 1), HealthPolicy.DEFAULT);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(
                () -> assertThat(picked(d, Q, 200)).containsExactly("best-2"));
    }

    @Test
    void aWorsePriorityIsChosenWhenTheFilterLeavesOutTheBest() {
        EndpointStore s = store(AZ1);
        s.register(endpoint("small", 0, 1).toBuilder().metadata("free_disk_gb", "20").build(), HealthPolicy.DEFAULT);
        s.register(endpoint("big", 3, 1).toBuilder().metadata("free_disk_gb", "500").build(), HealthPolicy.DEFAULT);
        Directory d = directory(s, SelectionStrategy.RANDOM);
        assertThat(picked(d, Q.where("free_disk_gb>=100"), 100)).containsExactly("big");
        assertThat(picked(d, Q, 100)).containsExactly("small");
    }

    @Test
    void nearerZonesComeBeforeBetterPriorities() {
        EndpointStore home = store(AZ1);
        EndpointStore remote = store(AZ2);
        home.register(endpoint("near-but-backup", 9, 1), HealthPolicy.DEFAULT);
        remote.register(endpoint("far-but-best", 0, 1).toBuilder().zone(AZ2).build(), HealthPolicy.DEFAULT);
        Directory d = directory(home, SelectionStrategy.RANDOM);
        await().atMost(Duration.ofSeconds(5)).until(() -> d.resolve(Q.allZones()).size() == 2);
        assertThat(picked(d, Q, 100)).containsExactly("near-but-backup");
        assertThat(picked(d, Q.allZones(), 100)).as("without tiers, priority decides").containsExactly("far-but-best");
    }

    @Test
    void whenTheBestPriorityIsEjectedAnAdmittedOneOfTheNextIsPickedBeforeAnEjectedOne() {
        EndpointStore s = store(AZ1);
        register(s, HealthPolicy.DEFAULT, endpoint("a", 0, 1), endpoint("b", 0, 2), endpoint("c", 1, 1),
                endpoint("d", 1, 1), endpoint("e", 2, 1));
        for (SelectionStrategy strategy : SelectionStrategy.values()) {
            Directory d = directory(s, strategy);
            fail(selectId(d, "a"));
            assertThat(picked(d, Q, 300)).as(strategy.name()).containsExactly("b");
            fail(selectId(d, "b"));
            assertThat(picked(d, Q, 300)).as(strategy.name() + ", all of priority 0 ejected")
                    .containsExactlyInAnyOrder("c", "d");
            fail(selectId(d, "c"));
            fail(selectId(d, "d"));
            assertThat(picked(d, Q, 300)).as(strategy.name() + ", priorities 0 and 1 ejected").containsExactly("e");
            fail(selectId(d, "e"));
            Set<String> anyway = new HashSet<>();
            for (int i = 0; i < 300; i++) {
                Selection sel = d.select(Q);
                anyway.add(sel.endpoint().id());
                fail(sel);
            }
            assertThat(anyway).as(strategy.name() + ", everything ejected: the best priority all the same")
                    .containsExactlyInAnyOrder("a", "b");
            now.addAndGet(Duration.ofMinutes(1).toNanos());
            assertThat(picked(d, Q, 300)).as(strategy.name() + ", the best priority tried again and answering")
                    .containsExactlyInAnyOrder("a", "b");
        }
    }

    @Test
    void weightZeroStandsInForItsPriorityOnlyWhenEveryWeightedOneIsEjected() {
        EndpointStore s = store(AZ1);
        register(s, HealthPolicy.DEFAULT, endpoint("a", 0, 5), endpoint("zero", 0, 0), endpoint("backup", 1, 1));
        Directory d = directory(s, SelectionStrategy.RANDOM);
        assertThat(picked(d, Q, 300)).containsExactly("a");
        fail(selectId(d, "a"));
        assertThat(picked(d, Q, 300)).containsExactly("zero");
    }

    @Test
    void leastInFlightComparesCallsInFlightPerUnitOfWeight() {
        EndpointStore s = store(AZ1);
        register(s, HealthPolicy.DEFAULT, endpoint("light", 0, 1), endpoint("heavy", 0, 3));
        Directory d = directory(s, SelectionStrategy.LEAST_IN_FLIGHT);
        List<Selection> held = new ArrayList<>(List.of(selectId(d, "light"), selectId(d, "heavy"),
                selectId(d, "heavy")));
        try {
            // 1 call per unit of weight against 2/3: the heavy one, though it has more calls in flight.
            assertThat(picked(d, Q, 300)).containsExactly("heavy");
        } finally {
            held.forEach(Selection::close);
        }
    }
}

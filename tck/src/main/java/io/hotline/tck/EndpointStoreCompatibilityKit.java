package io.hotline.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hotline.discovery.Directory;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.EndpointStore;
import io.hotline.discovery.Health;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Heartbeater;
import io.hotline.discovery.NotRegisteredException;
import io.hotline.discovery.Query;
import io.hotline.discovery.Resolution;
import io.hotline.discovery.Selection;
import io.hotline.discovery.StoreUnavailableException;
import io.hotline.discovery.Watch;
import io.hotline.discovery.Zone;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The contracts every endpoint store keeps (DESIGN.md, "Contracts the TCK holds every store to"). A store author
 * extends this class once in their tests and says how to run the store:
 *
 * <pre>{@code
 * class MyStoreTckIT extends EndpointStoreCompatibilityKit {
 *     @Override
 *     protected StoreFixture createFixture() {
 *         return new MyStoreFixture();              // starts the real server(s) on free loopback ports
 *     }
 * }
 * }</pre>
 *
 * <p>Each {@code @Nested} group is one contract; every test uses its own service name, so the groups share one
 * fixture (created on first use by {@link FixtureResolver}, closed after the class). Waits are bounded by the
 * fixture's {@link StoreTiming}, never by guesses.
 */
@ExtendWith(FixtureResolver.class)
public abstract class EndpointStoreCompatibilityKit {

    /** A fixture for the store under test; called once per kit class. */
    protected abstract StoreFixture createFixture();

    private StoreFixture fixture;
    private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();

    StoreFixture newFixture() {
        return createFixture();
    }

    @BeforeEach
    void injectFixture(StoreFixture fixture) {
        this.fixture = fixture;
    }

    @AfterEach
    void closeEverythingOpened() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        toClose.clear();
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private StoreTiming timing() {
        return fixture.timing();
    }

    private HealthPolicy policy() {
        return timing().policy();
    }

    /** The store's fastest reports, but no expiry while a test runs: for tests about something other than health. */
    private HealthPolicy longLived() {
        return HealthPolicy.of(policy().reportInterval(), Duration.ofMinutes(10), Duration.ofMinutes(20));
    }

    private Zone home() {
        return fixture.homeZone();
    }

    private Zone remote() {
        return fixture.remoteZone();
    }

    private EndpointStore open(Zone zone) {
        EndpointStore store = fixture.open(zone);
        toClose.add(store);
        return store;
    }

    private Directory directory(EndpointStore store) {
        Directory d = Directory.builder(store)
                .retryBackoff(Duration.ofMillis(20), timing().propagation())
                .zoneRefresh(timing().propagation())
                .build();
        toClose.add(d);
        return d;
    }

    private Heartbeater heartbeater(EndpointStore store) {
        Heartbeater h = Heartbeater.start(store);
        toClose.add(h);
        return h;
    }

    private Watch watch(EndpointStore store, String service, Zone zone, SnapshotRecorder recorder) {
        Watch w = store.watch(service, zone, recorder);
        toClose.add(w);
        return w;
    }

    /** Stops {@code zone}'s server for the duration of {@code body}, and always brings it back. */
    private void whileStopped(Zone zone, ThrowingRunnable body) throws Exception {
        fixture.stop(zone);
        try {
            body.run();
        } finally {
            fixture.start(zone);
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static String newService() {
        return "tck." + UUID.randomUUID().toString().substring(0, 8);
    }

    private static Endpoint endpoint(String service, Zone zone, int n) {
        return Endpoint.builder(service)
                .id("e" + n)
                .server("host-" + n)
                .host("127.0.0.1")
                .port(20000 + n % 40000)
                .zone(zone)
                .metadata("n", Integer.toString(n))
                .build();
    }

    /** Await with the given bound, polling often enough that fast stores finish fast. */
    private static ConditionFactory within(Duration bound) {
        return await().atMost(bound.plusMillis(250)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10));
    }

    private Duration propagation() {
        return timing().propagation();
    }

    /** Time for a missed heartbeat to show: down-after plus propagation. */
    private Duration downDetection() {
        return policy().downAfter().plus(propagation());
    }

    /** Time for the heartbeater to bring a registration back after the store lost it. */
    private Duration reRegistration() {
        return policy().reportInterval().multipliedBy(2).plus(propagation());
    }

    private static Map<String, Health> byId(List<EndpointStatus> statuses) {
        return statuses.stream().collect(Collectors.toMap(s -> s.endpoint().id(), EndpointStatus::health));
    }

    private static Set<String> ids(Resolution r) {
        return r.endpoints().stream().map(Endpoint::id).collect(Collectors.toSet());
    }

    // ---- 1. registration --------------------------------------------------------------------------------

    @Nested
    @DisplayName("1. Registration")
    class Registration {

        @Test
        @DisplayName("register/lookup/deregister round trip keeps every field")
        void roundTripKeepsEveryField() {
            EndpointStore store = open(home());
            String service = newService();
            Endpoint e = Endpoint.builder(service)
                    .id("worker-1.example.org:8443")
                    .server("compute-17.example.org")
                    .host("127.0.0.1")
                    .port(8443)
                    .scheme("https")
                    .zone(home())
                    .metadata("free_disk_gb", "250")
                    .metadata("hypervisor", "kvm")
                    .metadata("accept_migrations", "true")
                    .metadata("description", "Zürich rack 7 — \"quoted\", comma, = sign, 😀")
                    .metadata("empty", "")
                    .build();
            store.register(e, longLived());

            within(propagation()).untilAsserted(() -> assertThat(store.list(service, home()))
                    .containsExactly(new EndpointStatus(e, Health.PASSING)));

            store.deregister(service, e.id());
            within(propagation()).untilAsserted(() -> assertThat(store.list(service, home())).isEmpty());
        }

        @Test
        @DisplayName("re-register is an update, not a second entry")
        void reRegisterIsAnUpdate() {
            EndpointStore store = open(home());
            String service = newService();
            Endpoint first = endpoint(service, home(), 1);
            Endpoint changed = first.toBuilder().port(30001).metadata("n", "changed").metadata("extra", "x").build();
            store.register(first, longLived());
            store.register(changed, longLived());

            within(propagation()).untilAsserted(() -> assertThat(store.list(service, home()))
                    .containsExactly(new EndpointStatus(changed, Health.PASSING)));
        }

        @Test
        @DisplayName("ids are unique per service: the same id in two services is two endpoints")
        void idsAreUniquePerService() {
            EndpointStore store = open(home());
            String a = newService();
            String b = a + ".b";
            String c = a + "c";
            Endpoint inA = endpoint(a, home(), 1);
            Endpoint inB = endpoint(b, home(), 1).toBuilder().port(21111).build();
            Endpoint inC = endpoint(c, home(), 1).toBuilder().port(21112).build();
            store.register(inA, longLived());
            store.register(inB, longLived());
            store.register(inC, longLived());
            within(propagation()).untilAsserted(() -> {
                assertThat(store.list(a, home())).as("a service is not a prefix match")
                        .containsExactly(new EndpointStatus(inA, Health.PASSING));
                assertThat(store.list(b, home())).containsExactly(new EndpointStatus(inB, Health.PASSING));
            });
            store.deregister(a, "e1");

            within(propagation()).untilAsserted(() -> {
                assertThat(store.list(a, home())).isEmpty();
                assertThat(store.list(b, home())).containsExactly(new EndpointStatus(inB, Health.PASSING));
                assertThat(store.list(c, home())).containsExactly(new EndpointStatus(inC, Health.PASSING));
            });
        }

        @Test
        @DisplayName("deregistering something absent is not an error")
        void deregisterIsIdempotent() {
            EndpointStore store = open(home());
            String service = newService();
            store.deregister(service, "never-registered");
            store.register(endpoint(service, home(), 1), longLived());
            store.deregister(service, "e1");
            store.deregister(service, "e1");
            within(propagation()).untilAsserted(() -> assertThat(store.list(service, home())).isEmpty());
        }

        @Test
        @DisplayName("an endpoint outside the store's home zone is refused")
        void refusesEndpointOutsideHomeZone() {
            EndpointStore store = open(home());
            Endpoint foreign = endpoint(newService(), remote(), 1);
            assertThatThrownBy(() -> store.register(foreign, longLived()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(remote().path());
        }

        @Test
        @DisplayName("many services and thousands of endpoints")
        void manyServicesAndThousandsOfEndpoints() throws Exception {
            EndpointStore store = open(home());
            int services = 10;
            int perService = 200;
            List<String> names = new ArrayList<>();
            for (int s = 0; s < services; s++) {
                names.add(newService());
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (String name : names) {
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < perService; i++) {
                            store.register(endpoint(name, home(), i), longLived());
                        }
                    }));
                }
                for (Future<?> f : done) {
                    f.get(5, TimeUnit.MINUTES);
                }
            } finally {
                pool.shutdownNow();
            }
            for (String name : names) {
                within(propagation()).untilAsserted(() -> {
                    List<EndpointStatus> listed = store.list(name, home());
                    assertThat(listed).hasSize(perService);
                    assertThat(listed).allMatch(st -> st.endpoint().service().equals(name));
                    assertThat(listed.stream().map(st -> st.endpoint().id()).distinct()).hasSize(perService);
                });
            }
        }
    }

    // ---- 2. health --------------------------------------------------------------------------------------

    @Nested
    @DisplayName("2. Health")
    class HealthContract {

        @Test
        @DisplayName("a heartbeat keeps an endpoint passing past down-after, even when renewals come late")
        void heartbeatKeepsPassing() throws Exception {
            EndpointStore store = open(home());
            String service = newService();
            Endpoint e = endpoint(service, home(), 1);
            store.register(e, policy());
            // Renewing at half the down-after (slower than the report interval) and looking just before each
            // renewal catches a store that turns endpoints critical before their down-after has passed.
            Duration gap = policy().downAfter().dividedBy(2);
            Instant until = Instant.now().plus(policy().downAfter().multipliedBy(3));
            while (Instant.now().isBefore(until)) {
                Thread.sleep(gap.toMillis());
                assertThat(byId(store.list(service, home())))
                        .as("health %s after the last renewal", gap)
                        .containsEntry("e1", Health.PASSING);
                store.renew(service, e.id());
            }
        }

        @Test
        @DisplayName("a missed heartbeat makes it critical within down-after")
        void missedHeartbeatTurnsCritical() {
            EndpointStore store = open(home());
            String service = newService();
            store.register(endpoint(service, home(), 1), policy());
            within(propagation()).until(() -> byId(store.list(service, home())).get("e1") == Health.PASSING);

            within(downDetection()).untilAsserted(
                    () -> assertThat(byId(store.list(service, home()))).containsEntry("e1", Health.CRITICAL));
        }

        @Test
        @DisplayName("a critical endpoint is gone within deregister-after")
        void criticalIsRemovedAfterDeregisterAfter() {
            EndpointStore store = open(home());
            String service = newService();
            store.register(endpoint(service, home(), 1), policy());

            Duration bound = policy().deregisterAfter().plus(timing().deregistrationDelay()).plus(propagation());
            within(bound).untilAsserted(() -> assertThat(store.list(service, home())).isEmpty());
        }

        @Test
        @DisplayName("renewing a registration the store does not hold fails with NotRegisteredException")
        void renewOfUnknownRegistrationFails() {
            EndpointStore store = open(home());
            assertThatThrownBy(() -> store.renew(newService(), "nobody")).isInstanceOf(NotRegisteredException.class);
        }

        @Test
        @DisplayName("healthy-only lookups never return a critical endpoint")
        void healthyOnlyLookupsNeverReturnCritical() {
            EndpointStore store = open(home());
            String service = newService();
            heartbeater(store).register(endpoint(service, home(), 1), policy());
            store.register(endpoint(service, home(), 2), policy());
            Directory dir = directory(store);

            within(propagation()).until(() -> ids(dir.resolve(Query.of(service))).equals(Set.of("e1", "e2")));
            within(downDetection()).until(() -> byId(store.list(service, home())).get("e2") == Health.CRITICAL);
            within(propagation()).until(() -> ids(dir.resolve(Query.of(service))).equals(Set.of("e1")));
            for (int i = 0; i < 200; i++) {
                try (Selection s = dir.select(Query.of(service))) {
                    assertThat(s.endpoint().id()).isEqualTo("e1");
                }
            }
            assertThat(ids(dir.resolve(Query.of(service).includingUnhealthy()))).containsExactlyInAnyOrder("e1", "e2");
        }
    }

    // ---- 3. watch ---------------------------------------------------------------------------------------

    @Nested
    @DisplayName("3. Watch")
    class WatchContract {

        @Test
        @DisplayName("a watcher sees register, health change and deregister within the propagation bound")
        void seesEveryKindOfChange() {
            EndpointStore store = open(home());
            String service = newService();
            SnapshotRecorder rec = new SnapshotRecorder();
            watch(store, service, home(), rec);
            within(propagation()).until(rec::hasSnapshot);
            assertThat(rec.latest()).isEmpty();

            store.register(endpoint(service, home(), 1), policy());
            within(propagation()).until(() -> rec.latest().get("e1") == Health.PASSING);
            within(downDetection()).until(() -> rec.latest().get("e1") == Health.CRITICAL);
            store.deregister(service, "e1");
            within(propagation()).until(() -> rec.latest().isEmpty());
            assertThat(rec.errors()).isEmpty();
            assertThat(rec.protocolViolations()).isEmpty();
        }

        @Test
        @DisplayName("snapshots arrive in order and never go back to an older state")
        void snapshotsArriveInOrder() {
            EndpointStore store = open(home());
            String service = newService();
            SnapshotRecorder rec = new SnapshotRecorder();
            watch(store, service, home(), rec);
            within(propagation()).until(rec::hasSnapshot);

            int n = 20;
            for (int i = 0; i < n; i++) {
                store.register(endpoint(service, home(), i), longLived());
            }
            within(propagation()).until(() -> rec.latest().size() == n);
            for (int i = 0; i < n; i++) {
                store.deregister(service, "e" + i);
            }
            within(propagation()).until(() -> rec.latest().isEmpty());

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

        @Test
        @DisplayName("a closed watch delivers nothing more")
        void closedWatchIsSilent() throws Exception {
            EndpointStore store = open(home());
            String service = newService();
            SnapshotRecorder rec = new SnapshotRecorder();
            Watch w = watch(store, service, home(), rec);
            within(propagation()).until(rec::hasSnapshot);
            w.close();
            int before = rec.count();
            store.register(endpoint(service, home(), 1), policy());
            Thread.sleep(propagation().toMillis());
            assertThat(rec.count()).isEqualTo(before);
        }

        @Test
        @DisplayName("a watcher survives a store restart")
        void watcherSurvivesRestart() throws Exception {
            EndpointStore store = open(home());
            String service = newService();
            Directory dir = directory(store);
            Heartbeater hb = heartbeater(store);
            hb.register(endpoint(service, home(), 1), policy());
            within(propagation()).until(() -> ids(dir.resolve(Query.of(service).home())).equals(Set.of("e1")));

            whileStopped(home(), () -> within(propagation().multipliedBy(3))
                    .until(() -> dir.resolve(Query.of(service).home()).isStale()));
            hb.register(endpoint(service, home(), 2), policy());

            within(reRegistration().plus(propagation())).untilAsserted(() -> {
                Resolution r = dir.resolve(Query.of(service).home());
                assertThat(ids(r)).containsExactlyInAnyOrder("e1", "e2");
                assertThat(r.isStale()).isFalse();
            });
        }
    }

    // ---- 4. zones ---------------------------------------------------------------------------------------

    @Nested
    @DisplayName("4. Zones and federation")
    class Zones {

        @Test
        @DisplayName("the store knows its home zone and the federated one")
        void zonesListsHomeAndFederated() {
            EndpointStore homeStore = open(home());
            open(remote());
            assertThat(homeStore.homeZone()).isEqualTo(home());
            within(propagation()).untilAsserted(() -> assertThat(homeStore.zones()).contains(home(), remote()));
        }

        @Test
        @DisplayName("home-zone lookups see the home zone only; a scoped lookup reaches the federated zone")
        void homeAndScopedLookups() {
            EndpointStore homeStore = open(home());
            EndpointStore remoteStore = open(remote());
            String service = newService();
            Endpoint local = endpoint(service, home(), 1);
            Endpoint far = endpoint(service, remote(), 2);
            homeStore.register(local, longLived());
            remoteStore.register(far, longLived());

            within(propagation()).untilAsserted(() -> {
                assertThat(homeStore.list(service, home())).extracting(EndpointStatus::endpoint).containsExactly(local);
                assertThat(homeStore.list(service, remote())).extracting(EndpointStatus::endpoint).containsExactly(far);
            });
            Directory dir = directory(homeStore);
            within(propagation()).untilAsserted(() -> {
                assertThat(dir.resolve(Query.of(service).home()).endpoints()).containsExactly(local);
                assertThat(dir.resolve(Query.of(service).in(remote())).endpoints()).containsExactly(far);
                assertThat(dir.resolve(Query.of(service).allZones()).endpoints()).containsExactlyInAnyOrder(local, far);
            });
        }

        @Test
        @DisplayName("nearest-first falls back to another zone only while the home zone has no healthy endpoint")
        void nearestFailsOverOnlyWhenHomeHasNone() {
            EndpointStore homeStore = open(home());
            EndpointStore remoteStore = open(remote());
            String service = newService();
            homeStore.register(endpoint(service, home(), 1), policy());
            heartbeater(remoteStore).register(endpoint(service, remote(), 2), policy());
            Directory dir = directory(homeStore);

            within(propagation()).until(() -> ids(dir.resolve(Query.of(service))).equals(Set.of("e1")));
            within(downDetection().plus(propagation()))
                    .until(() -> ids(dir.resolve(Query.of(service))).equals(Set.of("e2")));
            homeStore.renew(service, "e1");
            within(propagation()).until(() -> ids(dir.resolve(Query.of(service))).equals(Set.of("e1")));
        }

        @Test
        @DisplayName("losing the remote zone's store never breaks home-zone lookups")
        void losingRemoteZoneKeepsHomeWorking() throws Exception {
            EndpointStore homeStore = open(home());
            EndpointStore remoteStore = open(remote());
            String service = newService();
            heartbeater(homeStore).register(endpoint(service, home(), 1), policy());
            heartbeater(remoteStore).register(endpoint(service, remote(), 2), policy());
            Directory dir = directory(homeStore);
            within(propagation()).until(() -> ids(dir.resolve(Query.of(service).allZones())).size() == 2);

            whileStopped(remote(), () -> {
                within(propagation()).untilAsserted(() -> assertThatThrownBy(() -> homeStore.list(service, remote()))
                        .isInstanceOf(StoreUnavailableException.class));
                assertThat(homeStore.list(service, home())).extracting(st -> st.endpoint().id()).containsExactly("e1");
                assertThat(ids(dir.resolve(Query.of(service)))).containsExactly("e1");
                assertThat(ids(dir.resolve(Query.of(service).home()))).containsExactly("e1");
                assertThat(dir.resolve(Query.of(service).allZones()).endpoints()).extracting(Endpoint::id).contains("e1");
                try (Selection s = dir.select(Query.of(service))) {
                    assertThat(s.endpoint().id()).isEqualTo("e1");
                }
            });
        }
    }

    // ---- 5. failure and recovery ------------------------------------------------------------------------

    @Nested
    @DisplayName("5. Failure and recovery")
    class Failure {

        @Test
        @DisplayName("a store that is down gives a clear StoreUnavailableException from the SPI")
        void downStoreGivesClearError() throws Exception {
            EndpointStore store = open(home());
            String service = newService();
            Endpoint e = endpoint(service, home(), 1);
            whileStopped(home(), () -> {
                within(propagation()).untilAsserted(() -> assertThatThrownBy(() -> store.list(service, home()))
                        .isInstanceOf(StoreUnavailableException.class)
                        .satisfies(t -> assertThat(t.getMessage()).isNotBlank()));
                assertThatThrownBy(() -> store.register(e, policy())).isInstanceOf(StoreUnavailableException.class);
                assertThatThrownBy(() -> store.renew(service, e.id())).isInstanceOf(StoreUnavailableException.class);
                assertThatThrownBy(() -> store.deregister(service, e.id()))
                        .isInstanceOf(StoreUnavailableException.class);
            });
        }

        @Test
        @DisplayName("a watch of a store that goes down ends with one onError")
        void watchReportsOutage() throws Exception {
            EndpointStore store = open(home());
            String service = newService();
            SnapshotRecorder rec = new SnapshotRecorder();
            watch(store, service, home(), rec);
            within(propagation()).until(rec::hasSnapshot);
            whileStopped(home(), () -> within(propagation().multipliedBy(3)).until(() -> !rec.errors().isEmpty()));
            assertThat(rec.errors().get(0)).isInstanceOf(StoreUnavailableException.class);
            assertThat(rec.protocolViolations()).isEmpty();
        }

        @Test
        @DisplayName("the core keeps serving the last known endpoints, marked stale, and recovers by itself")
        void coreServesStaleAndRecovers() throws Exception {
            EndpointStore store = open(home());
            String service = newService();
            Directory dir = directory(store);
            heartbeater(store).register(endpoint(service, home(), 1), policy());
            within(propagation()).until(() -> ids(dir.resolve(Query.of(service))).equals(Set.of("e1")));

            whileStopped(home(), () -> {
                within(propagation().multipliedBy(3)).until(() -> dir.resolve(Query.of(service)).isStale());
                Resolution r = dir.resolve(Query.of(service));
                assertThat(ids(r)).containsExactly("e1");
                assertThat(r.staleSince()).isPresent();
                assertThat(r.staleFor(Instant.now())).isPositive();
                try (Selection s = dir.select(Query.of(service))) {
                    assertThat(s.endpoint().id()).isEqualTo("e1");
                    assertThat(s.isStale()).isTrue();
                }
            });
            within(reRegistration().plus(propagation())).untilAsserted(() -> {
                Resolution r = dir.resolve(Query.of(service));
                assertThat(r.isStale()).isFalse();
                assertThat(ids(r)).containsExactly("e1");
            });
        }

        @Test
        @DisplayName("registrations come back by themselves when the store does")
        void registrationsComeBack() throws Exception {
            EndpointStore store = open(home());
            String service = newService();
            Heartbeater.Registration reg = heartbeater(store).register(endpoint(service, home(), 1), policy());
            within(propagation()).until(() -> byId(store.list(service, home())).get("e1") == Health.PASSING);

            whileStopped(home(), () -> within(reRegistration()).until(() -> !reg.isHealthy()));

            within(reRegistration()).untilAsserted(() -> {
                assertThat(byId(store.list(service, home()))).containsEntry("e1", Health.PASSING);
                assertThat(reg.isHealthy()).isTrue();
            });
        }
    }

    // ---- 6. concurrency ---------------------------------------------------------------------------------

    @Nested
    @DisplayName("6. Concurrency")
    class Concurrency {

        @Test
        @DisplayName("many writers and readers at once lose nothing and see no torn records")
        void manyWritersAndReaders() throws Exception {
            EndpointStore writerStore = open(home());
            EndpointStore readerStore = open(home());
            String service = newService();
            int writers = 4;
            int each = 250;
            AtomicBoolean writing = new AtomicBoolean(true);
            List<Throwable> readerErrors = new CopyOnWriteArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
            try {
                List<Future<?>> readers = new ArrayList<>();
                for (int r = 0; r < 2; r++) {
                    readers.add(pool.submit(() -> {
                        while (writing.get()) {
                            try {
                                List<EndpointStatus> listed = readerStore.list(service, home());
                                Set<String> seen = new HashSet<>();
                                for (EndpointStatus st : listed) {
                                    assertThat(seen.add(st.endpoint().id())).as("duplicate %s", st).isTrue();
                                    int n = Integer.parseInt(st.endpoint().id().substring(1));
                                    assertThat(st.endpoint()).isEqualTo(endpoint(service, home(), n));
                                }
                            } catch (Throwable t) {
                                readerErrors.add(t);
                                return;
                            }
                        }
                    }));
                }
                List<Future<?>> done = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    int base = w * each;
                    done.add(pool.submit(() -> {
                        for (int i = base; i < base + each; i++) {
                            writerStore.register(endpoint(service, home(), i), longLived());
                        }
                    }));
                }
                for (Future<?> f : done) {
                    f.get(5, TimeUnit.MINUTES);
                }
                writing.set(false);
                for (Future<?> f : readers) {
                    f.get(1, TimeUnit.MINUTES);
                }
            } finally {
                writing.set(false);
                pool.shutdownNow();
            }
            assertThat(readerErrors).isEmpty();
            within(propagation()).untilAsserted(
                    () -> assertThat(readerStore.list(service, home())).hasSize(writers * each));
        }

        @Test
        @DisplayName("selection under concurrent churn only returns endpoints that were registered")
        void selectionUnderChurn() throws Exception {
            EndpointStore store = open(home());
            String service = newService();
            int stable = 1000;
            for (int i = 0; i < stable; i++) {
                store.register(endpoint(service, home(), i), longLived());
            }
            Directory dir = directory(store);
            within(propagation()).until(() -> dir.resolve(Query.of(service)).size() == stable);

            Set<String> everRegistered = ConcurrentHashMap.newKeySet();
            for (int i = 0; i < stable; i++) {
                everRegistered.add("e" + i);
            }
            AtomicBoolean churning = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                Future<?> churn = pool.submit(() -> {
                    int i = stable;
                    while (churning.get() && i < stable + 5_000) {
                        everRegistered.add("e" + i);
                        store.register(endpoint(service, home(), i), longLived());
                        if (i > stable) {
                            store.deregister(service, "e" + (i - 1));
                        }
                        i++;
                    }
                });
                List<Future<Integer>> selectors = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    selectors.add(pool.submit(() -> {
                        int picked = 0;
                        for (int k = 0; k < 5_000; k++) {
                            try (Selection s = dir.select(Query.of(service))) {
                                assertThat(everRegistered).contains(s.endpoint().id());
                                picked++;
                            }
                        }
                        return picked;
                    }));
                }
                for (Future<Integer> f : selectors) {
                    assertThat(f.get(2, TimeUnit.MINUTES)).isEqualTo(5_000);
                }
                churning.set(false);
                churn.get(1, TimeUnit.MINUTES);
            } finally {
                churning.set(false);
                pool.shutdownNow();
            }
        }
    }
}

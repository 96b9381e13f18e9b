package io.hotline.tck;

import static org.awaitility.Awaitility.await;

import io.hotline.discovery.Directory;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Heartbeater;
import io.hotline.discovery.Zone;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.Watch;
import io.hotline.testing.Closer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionFactory;

/**
 * What one test of the kit works with: the store's {@link StoreFixture}, stores and helpers opened for the test (all
 * closed after it, newest first), and waits bounded by the store's declared {@link StoreTiming}. The kit injects one
 * into every contract test:
 *
 * <pre>{@code
 * @Test
 * default void roundTripKeepsEveryField(TckContext tck) {
 *     EndpointStore store = tck.open(tck.home());
 *     store.register(endpoint, tck.longLived());
 *     tck.within(tck.propagation()).untilAsserted(() -> assertThat(store.list(service, tck.home())).hasSize(1));
 * }
 * }</pre>
 *
 * <p><b>Bounds.</b> {@link #within} allows a quarter of the bound on top of it (at least {@link #MIN_SLACK}, the
 * granularity of the kit's polling), never a fixed second: a store that declares 100 ms is held to about 125 ms.
 * Checks that something has <em>not</em> happened yet (an endpoint still passing before its down-after) are made
 * only when the kit can prove the time has not passed, from timestamps taken around the calls, so a slow machine makes
 * such a check inconclusive, never wrong.
 */
public final class TckContext implements AutoCloseable {

    /** The smallest slack any wait gets: twice the kit's polling interval. */
    public static final Duration MIN_SLACK = Duration.ofMillis(20);

    /**
     * How far a store's clock may round a time it records (millisecond clocks, another process's clock): "not yet"
     * checks treat a read within this much of the bound as inconclusive.
     */
    public static final Duration CLOCK_TOLERANCE = Duration.ofMillis(5);

    private static final Duration POLL = Duration.ofMillis(10);

    private final StoreFixture fixture;
    private final FixtureFactory fixtures;
    private final Closer closer = new Closer();

    /** Makes another fixture of the same store, for the few tests that need one nobody else touched. */
    @FunctionalInterface
    interface FixtureFactory {
        StoreFixture create();
    }

    TckContext(StoreFixture fixture, FixtureFactory fixtures) {
        this.fixture = fixture;
        this.fixtures = fixtures;
    }

    /** The fixture shared by the kit class's tests. */
    public StoreFixture fixture() {
        return fixture;
    }

    /**
     * A new fixture of the same store that only this test uses, for clauses that depend on what a store saw before
     * (e.g. zones that appear after it opened); it is closed after the test. Costs a server start, so used sparingly.
     */
    public StoreFixture freshFixture() {
        return track(fixtures.create());
    }

    public StoreTiming timing() {
        return fixture.timing();
    }

    /** The shortest health policy the store honours, as the fixture declares it. */
    public HealthPolicy policy() {
        return timing().policy();
    }

    /** The store's fastest reports, but no expiry while a test runs: for tests about something other than health. */
    public HealthPolicy longLived() {
        return HealthPolicy.of(policy().reportInterval(), Duration.ofMinutes(10), Duration.ofMinutes(20));
    }

    public Zone home() {
        return fixture.homeZone();
    }

    public Zone remote() {
        return fixture.remoteZone();
    }

    /** A new store whose home zone is {@code zone}, closed after the test. */
    public EndpointStore open(Zone zone) {
        return track(fixture.open(zone));
    }

    /** A directory over {@code store} that retries and refreshes zones within the store's propagation bound. */
    public Directory directory(EndpointStore store) {
        return track(Directory.builder(store)
                .retryBackoff(Duration.ofMillis(20), propagation())
                .zoneRefresh(propagation())
                .build());
    }

    public Heartbeater heartbeater(EndpointStore store) {
        return track(Heartbeater.start(store));
    }

    /** Starts a watch feeding {@code recorder}; closed after the test. */
    public Watch watch(EndpointStore store, String service, Zone zone, SnapshotRecorder recorder) {
        return track(store.watch(service, zone, recorder));
    }

    /**
     * Starts a watch feeding a new recorder and waits for its first snapshot, which must come within the propagation
     * bound; the watch is closed after the test.
     */
    public SnapshotRecorder watching(EndpointStore store, String service, Zone zone) {
        SnapshotRecorder rec = new SnapshotRecorder();
        watch(store, service, zone, rec);
        within(propagation()).until(rec::hasSnapshot);
        return rec;
    }

    /** Stops {@code zone}'s server for the duration of {@code body}, and always brings it back. */
    public void whileStopped(Zone zone, ThrowingRunnable body) throws Exception {
        fixture.stop(zone);
        try {
            body.run();
        } finally {
            fixture.start(zone);
        }
    }

    /** A body that may throw, for {@link #whileStopped}. */
    @FunctionalInterface
    public interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Closes {@code resource} after the test, before whatever was opened earlier. */
    public <T extends AutoCloseable> T track(T resource) {
        return closer.track(resource);
    }

    /** A service name no other test uses. */
    public static String newService() {
        return "tck." + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A plain endpoint number {@code n} of {@code service}: id {@code e<n>}, metadata {@code n=<n>}. */
    public static Endpoint endpoint(String service, Zone zone, int n) {
        return Endpoint.builder(service)
                .id("e" + n)
                .server("host-" + n)
                .host("127.0.0.1")
                .port(20000 + n % 40000)
                .zone(zone)
                .metadata("n", Integer.toString(n))
                .build();
    }

    /** Awaits a condition for {@code bound} plus its slack, polling every 10 ms so fast stores finish fast. */
    public ConditionFactory within(Duration bound) {
        return await().atMost(bound.plus(slack(bound))).pollDelay(Duration.ZERO).pollInterval(POLL);
    }

    /** The slack {@link #within} allows on top of {@code bound}: a quarter of it, at least {@link #MIN_SLACK}. */
    public static Duration slack(Duration bound) {
        Duration quarter = bound.dividedBy(4);
        return quarter.compareTo(MIN_SLACK) < 0 ? MIN_SLACK : quarter;
    }

    /** Awaits a condition until {@code deadlineNanos} ({@link System#nanoTime}) plus the slack of {@code bound}. */
    public ConditionFactory by(long deadlineNanos, Duration bound) {
        long left = deadlineNanos + slack(bound).toNanos() - System.nanoTime();
        return await().atMost(Duration.ofNanos(Math.max(left, POLL.toNanos()))).pollDelay(Duration.ZERO).pollInterval(POLL);
    }

    /**
     * Waits out the propagation bound and its slack, after which every change made before must show; for checks of
     * reads that may themselves take longer than the bound (thousands of records).
     */
    public void settle() throws InterruptedException {
        Duration d = propagation().plus(slack(propagation()));
        Thread.sleep(d.toMillis());
    }

    public Duration propagation() {
        return timing().propagation();
    }

    /**
     * How long the core ({@code Directory}) may take to show a change: twice the store's propagation bound, since it
     * learns of changes through a watch and then hands them on through threads of its own. The core clauses wait
     * this long; the store clauses hold the store to its own bound.
     */
    public Duration coreUpdate() {
        return propagation().multipliedBy(2);
    }

    /** How long after its last renewal an endpoint must show critical: down-after plus propagation. */
    public Duration downDetection() {
        return policy().downAfter().plus(propagation());
    }

    /** Time for a heartbeater to bring a registration back after the store lost it. */
    public Duration reRegistration() {
        return policy().reportInterval().multipliedBy(2).plus(propagation());
    }

    /**
     * Whether a read that returned {@code elapsedNanos} after the call that started a period began must still see
     * the period's state: true only when the read certainly fell within {@code period}.
     */
    public static boolean certainlyWithin(long elapsedNanos, Duration period) {
        return elapsedNanos + CLOCK_TOLERANCE.toNanos() < period.toNanos();
    }

    /** Id to health of a list or snapshot. */
    /**
     * The statuses with only their endpoints and health, for comparing with expected ones: since when a health holds
     * is a store's to tell or not ({@code HealthContract.sinceIsWhenHealthLastChanged} checks it where told).
     */
    public static List<EndpointStatus> withoutSince(List<EndpointStatus> statuses) {
        return statuses.stream().map(s -> new EndpointStatus(s.endpoint(), s.health())).toList();
    }

    public static Map<String, Health> byId(List<EndpointStatus> statuses) {
        return statuses.stream().collect(Collectors.toMap(s -> s.endpoint().id(), EndpointStatus::health));
    }

    @Override
    public void close() throws Exception {
        closer.close();
    }
}

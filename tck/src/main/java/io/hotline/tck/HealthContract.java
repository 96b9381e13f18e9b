package io.hotline.tck;

import static io.hotline.tck.TckContext.byId;
import static io.hotline.tck.TckContext.endpoint;
import static io.hotline.tck.TckContext.newService;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.Directory;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.NotRegisteredException;
import io.hotline.discovery.Query;
import io.hotline.discovery.Selection;
import io.hotline.discovery.spi.EndpointStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Contract 2, health: an endpoint is passing for down-after from its registration or last renewal and critical from
 * then on (counted with the policy it was registered with), stays listed while critical until deregister-after, and is
 * gone soon after; a renewal brings it back; renewing what the store does not hold fails.
 *
 * <p>"Not yet critical" is asserted only for a {@code list} that returned before down-after had passed since the call
 * that renewed began, so a slow machine makes a check inconclusive instead of failing a correct store.
 *
 * <p>Scale: one or two endpoints per test; the waits follow the fixture's policy: down-after, and for 2.4
 * deregister-after plus the deregistration delay, the kit's longest wait for a store with a slow reaper.
 */
public interface HealthContract {

    /**
     * How far an instant a store tells by its own clock may be from this JVM's clock: a store may keep a server's clock
     * read from HTTP {@code Date} headers, which give whole seconds.
     */
    Duration SINCE_CLOCK_TOLERANCE = Duration.ofMillis(1_100);

    /**
     * Renews one endpoint every 85% of down-after (later than any heartbeat would) and lists it just before each next
     * renewal, expecting passing; only lists that certainly returned within down-after count, and three must. Scale:
     * one endpoint; at most 20 rounds of 85% of down-after, usually three.
     */
    @Test
    @DisplayName("2.1 a renewal keeps an endpoint passing for down-after from that renewal, even when renewals come late")
    default void renewalKeepsPassingForDownAfter(TckContext tck) throws Exception {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        store.register(endpoint(service, tck.home(), 1), tck.policy());
        Duration downAfter = tck.policy().downAfter();
        // Renewing at 85% of down-after (slower than the report interval) and looking just before each renewal
        // catches a store that turns endpoints critical before their down-after has passed.
        long gap = downAfter.toNanos() * 85 / 100;
        int conclusive = 0;
        for (int round = 0; round < 20 && conclusive < 3; round++) {
            long renewing = System.nanoTime();
            store.renew(service, "e1");
            sleepUntil(renewing + gap);
            Map<String, Health> seen = byId(store.list(service, tck.home()));
            if (TckContext.certainlyWithin(System.nanoTime() - renewing, downAfter)) {
                conclusive++;
                assertThat(seen).as("health %d ms after a renewal, before down-after %s",
                        Duration.ofNanos(gap).toMillis(), downAfter).containsEntry("e1", Health.PASSING);
            }
        }
        assertThat(conclusive).as("lists that returned within down-after of a renewal (the machine is too slow to "
                + "check otherwise)").isPositive();
    }

    /**
     * Registers one endpoint and never renews it: it must be passing while down-after certainly has not passed, and
     * critical by down-after plus the propagation bound. Scale: one endpoint; waits down-after plus the propagation
     * bound.
     */
    @Test
    @DisplayName("2.2 without renewals an endpoint turns critical after down-after, within the propagation bound")
    default void missedHeartbeatTurnsCritical(TckContext tck) {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        long registering = System.nanoTime();
        store.register(endpoint(service, tck.home(), 1), tck.policy());
        long registered = System.nanoTime();

        List<String> early = new CopyOnWriteArrayList<>();
        try {
            tck.by(registered + tck.downDetection().toNanos(), tck.propagation()).until(() -> {
                Health seen = byId(store.list(service, tck.home())).get("e1");
                long since = System.nanoTime() - registering;
                if (TckContext.certainlyWithin(since, tck.policy().downAfter()) && seen != Health.PASSING) {
                    early.add(seen + " " + Duration.ofNanos(since).toMillis() + " ms after registering");
                }
                return seen == Health.CRITICAL;
            });
        } finally {
            assertThat(early).as("health before down-after %s", tck.policy().downAfter()).isEmpty();
        }
    }

    /**
     * Registers one endpoint, renews it at 60% of down-after, then stays silent: it must stay passing until down-after
     * from the renewal and be critical by down-after plus the propagation bound from it. Scale: one endpoint; waits 1.6
     * times down-after plus the propagation bound.
     */
    @Test
    @DisplayName("2.3 after a renewal and then silence, critical comes down-after from that renewal, by the policy "
            + "registered")
    default void criticalCountsFromTheLastRenewal(TckContext tck) throws Exception {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        Duration downAfter = tck.policy().downAfter();
        long registered = System.nanoTime();
        store.register(endpoint(service, tck.home(), 1), tck.policy());
        sleepUntil(registered + downAfter.toNanos() * 6 / 10);
        long renewing = System.nanoTime();
        store.renew(service, "e1");
        long renewed = System.nanoTime();

        List<String> early = new CopyOnWriteArrayList<>();
        try {
            tck.by(renewed + tck.downDetection().toNanos(), tck.propagation()).until(() -> {
                Health seen = byId(store.list(service, tck.home())).get("e1");
                long since = System.nanoTime() - renewing;
                if (TckContext.certainlyWithin(since, downAfter) && seen != Health.PASSING) {
                    early.add(seen + " " + Duration.ofNanos(since).toMillis() + " ms after the renewal");
                }
                return seen == Health.CRITICAL;
            });
        } finally {
            assertThat(early).as("health before down-after %s from the renewal", downAfter).isEmpty();
        }
    }

    /**
     * Lets one endpoint turn critical and checks it stays listed as critical until deregister-after from its
     * registration, then is gone within the fixture's deregistration delay plus the propagation bound; renewing it then
     * fails, and so does renewing a second endpoint past deregister-after that was never listed (a store that removes
     * expired records only when reading them). Scale: two endpoints; waits deregister-after plus the deregistration
     * delay and the propagation bound (the longest wait of the kit for stores with a slow reaper, such as Consul's 30
     * s).
     */
    @Test
    @DisplayName("2.4 a critical endpoint stays listed until deregister-after, then is gone within the declared delay; "
            + "renewing it then fails")
    default void criticalIsListedUntilDeregisterAfterThenGone(TckContext tck) {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        // Never listed: a store that removes expired records only when it reads them must still refuse its renewal.
        // Registered first, so it has expired by the time the listed one is seen gone.
        String unread = newService();
        store.register(endpoint(unread, tck.home(), 2), tck.policy());
        long registering = System.nanoTime();
        store.register(endpoint(service, tck.home(), 1), tck.policy());
        long registered = System.nanoTime();
        long deregisterAfter = tck.policy().deregisterAfter().toNanos();

        tck.within(tck.downDetection()).until(() -> byId(store.list(service, tck.home())).get("e1") == Health.CRITICAL);
        Duration removal = tck.timing().deregistrationDelay().plus(tck.propagation());
        List<String> early = new CopyOnWriteArrayList<>();
        try {
            tck.by(registered + deregisterAfter + removal.toNanos(), removal).until(() -> {
                Health seen = byId(store.list(service, tck.home())).get("e1");
                long since = System.nanoTime() - registering;
                if (TckContext.certainlyWithin(since, tck.policy().deregisterAfter()) && seen != Health.CRITICAL) {
                    early.add(seen + " " + Duration.ofNanos(since).toMillis() + " ms after registering");
                }
                return seen == null;
            });
        } finally {
            assertThat(early).as("a critical endpoint listed until deregister-after %s", tck.policy().deregisterAfter())
                    .isEmpty();
        }
        assertThatThrownBy(() -> store.renew(service, "e1")).as("renewing an endpoint the store removed")
                .isInstanceOf(NotRegisteredException.class);
        assertThatThrownBy(() -> store.renew(unread, "e2")).as("renewing an endpoint past deregister-after that "
                + "nobody listed").isInstanceOf(NotRegisteredException.class);
    }

    /**
     * Lets one endpoint turn critical, renews it, and checks it is passing within the propagation bound. Scale: one
     * endpoint; waits down-after plus two propagation bounds.
     */
    @Test
    @DisplayName("2.5 renewing a critical endpoint makes it passing again within the propagation bound")
    default void renewalRevivesCritical(TckContext tck) {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        store.register(endpoint(service, tck.home(), 1), tck.policy());
        tck.within(tck.downDetection()).until(() -> byId(store.list(service, tck.home())).get("e1") == Health.CRITICAL);

        store.renew(service, "e1");
        tck.within(tck.propagation()).untilAsserted(
                () -> assertThat(byId(store.list(service, tck.home()))).containsEntry("e1", Health.PASSING));
    }

    /**
     * Renews an id never registered and one just deregistered, expecting {@code NotRegisteredException} both times.
     * Scale: one endpoint; no waits.
     */
    @Test
    @DisplayName("2.6 renewing a registration the store does not hold (never made, or deregistered) fails with "
            + "NotRegisteredException")
    default void renewOfUnknownRegistrationFails(TckContext tck) {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        assertThatThrownBy(() -> store.renew(service, "nobody")).isInstanceOf(NotRegisteredException.class);
        Endpoint e = endpoint(service, tck.home(), 1);
        store.register(e, tck.longLived());
        store.deregister(service, e.id());
        assertThatThrownBy(() -> store.renew(service, e.id())).as("renewing a deregistered endpoint")
                .isInstanceOf(NotRegisteredException.class);
    }

    /**
     * Registers two endpoints, one kept alive by a {@code Heartbeater}, lets the other turn critical, and checks that
     * the {@code Directory}'s default (healthy-only) lookups and 200 selections give only the live one, while a lookup
     * including unhealthy endpoints gives both. Scale: two endpoints, 200 selections; waits down-after plus the core's
     * update bound.
     */
    @Test
    @DisplayName("2.7 healthy-only lookups through the core never return a critical endpoint")
    default void healthyOnlyLookupsNeverReturnCritical(TckContext tck) {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        tck.heartbeater(store).register(endpoint(service, tck.home(), 1), tck.policy());
        store.register(endpoint(service, tck.home(), 2), tck.policy());
        Directory dir = tck.directory(store);

        tck.within(tck.coreUpdate()).until(() -> ids(dir, Query.of(service)).equals(Set.of("e1", "e2")));
        tck.within(tck.downDetection()).until(() -> byId(store.list(service, tck.home())).get("e2") == Health.CRITICAL);
        tck.within(tck.coreUpdate()).until(() -> ids(dir, Query.of(service)).equals(Set.of("e1")));
        for (int i = 0; i < 200; i++) {
            try (Selection s = dir.select(Query.of(service))) {
                assertThat(s.endpoint().id()).isEqualTo("e1");
            }
        }
        assertThat(ids(dir, Query.of(service).includingUnhealthy())).containsExactlyInAnyOrder("e1", "e2");
    }

    /**
     * For a store that tells since when an endpoint's health holds ({@link EndpointStatus#since()}; a store that cannot
     * tell leaves it empty and passes): registers one endpoint, lets it turn critical, and renews it. Passing since
     * must be the registration, critical since down-after after it, passing since again the renewal; listing again
     * must give the same instant (it is a fact the store keeps, not the time of the read). Instants are the store's
     * clock, which may be another machine's read in whole seconds (HTTP's {@code Date}): compared with this JVM's
     * clock they may be off by {@link #SINCE_CLOCK_TOLERANCE}; compared with each other, by
     * {@link TckContext#CLOCK_TOLERANCE} beyond the time the calls took. Scale: one endpoint; waits down-after plus
     * two propagation bounds.
     */
    @Test
    @DisplayName("2.8 since when a health holds, if the store tells: the registration, down-after later, the renewal "
            + "that revived it")
    default void sinceIsWhenHealthLastChanged(TckContext tck) {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        Duration downAfter = tck.policy().downAfter();
        Instant registering = Instant.now();
        store.register(endpoint(service, tck.home(), 1), tck.policy());
        Instant registered = Instant.now();
        Optional<Instant> passing = stableSince(store, service, tck, Health.PASSING, "passing since the registration");
        passing.ifPresent(t -> assertNear(t, registering, registered, SINCE_CLOCK_TOLERANCE,
                "passing since, by the store's clock against this JVM's, for a registration made"));

        tck.within(tck.downDetection()).until(() -> byId(store.list(service, tck.home())).get("e1") == Health.CRITICAL);
        Optional<Instant> critical = stableSince(store, service, tck, Health.CRITICAL, "critical since");
        critical.ifPresent(t -> assertNear(t, registering.plus(downAfter), registered.plus(downAfter),
                SINCE_CLOCK_TOLERANCE, "critical since, by the store's clock against this JVM's: down-after "
                        + downAfter + " after a registration made"));
        if (passing.isPresent() && critical.isPresent()) {
            assertThat(Duration.between(passing.get(), critical.get())).as("from passing since to critical since, "
                    + "without a renewal").isBetween(downAfter.minus(TckContext.CLOCK_TOLERANCE),
                            downAfter.plus(TckContext.CLOCK_TOLERANCE));
        }

        Instant renewing = Instant.now();
        store.renew(service, "e1");
        Instant renewed = Instant.now();
        tck.within(tck.propagation()).until(() -> byId(store.list(service, tck.home())).get("e1") == Health.PASSING);
        Optional<Instant> revived = stableSince(store, service, tck, Health.PASSING, "passing since the renewal");
        revived.ifPresent(t -> assertNear(t, renewing, renewed, SINCE_CLOCK_TOLERANCE,
                "passing since, by the store's clock against this JVM's, for a renewal made"));
        if (passing.isPresent() && revived.isPresent()) {
            // Both by the store's clock: its offset from this JVM's cancels out.
            assertNear(revived.get(), passing.get().plus(Duration.between(registered, renewing)),
                    passing.get().plus(Duration.between(registering, renewed)), TckContext.CLOCK_TOLERANCE,
                    "passing since after the renewal that revived it, counted from passing since the registration "
                            + passing.get() + " by this JVM's clock");
        }
    }

    /** The one endpoint's since, listed twice: both lists must give the same (or the health changed in between). */
    private static Optional<Instant> stableSince(EndpointStore store, String service, TckContext tck, Health health,
            String what) {
        EndpointStatus first = only(store.list(service, tck.home()));
        EndpointStatus again = only(store.list(service, tck.home()));
        if (first.health() == health && again.health() == health) {
            assertThat(again.since()).as(what + ", listed again").isEqualTo(first.since());
        }
        return first.health() == health ? first.since() : Optional.empty();
    }

    private static EndpointStatus only(List<EndpointStatus> statuses) {
        assertThat(statuses).as("the one endpoint registered").hasSize(1);
        return statuses.get(0);
    }

    private static void assertNear(Instant actual, Instant from, Instant to, Duration tolerance, String what) {
        assertThat(actual).as("%s between %s and %s (give or take %d ms)", what, from, to, tolerance.toMillis())
                .isBetween(from.minus(tolerance), to.plus(tolerance));
    }

    private static Set<String> ids(Directory dir, Query query) {
        return dir.resolve(query).endpoints().stream().map(Endpoint::id).collect(Collectors.toSet());
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
        }
    }
}

package io.hotline.tck;

import static io.hotline.tck.TckContext.byId;
import static io.hotline.tck.TckContext.endpoint;
import static io.hotline.tck.TckContext.newService;
import static io.hotline.tck.TckContext.withoutSince;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.Directory;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.Heartbeater;
import io.hotline.discovery.Query;
import io.hotline.discovery.Resolution;
import io.hotline.discovery.Selection;
import io.hotline.discovery.StoreUnavailableException;
import io.hotline.discovery.spi.EndpointStore;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Contract 5, failure and recovery: a store whose server is down says so with {@link StoreUnavailableException} from
 * every method and one {@code onError} per watch; once the fixture's {@code start} returns, the same store instance
 * serves again by itself (see {@link StoreFixture#start}); the core serves what it knew meanwhile, and registrations
 * come back.
 *
 * <p>Scale: one outage of the home zone's server per test (the fixture's {@code stop}, then {@code start}), and one
 * or two endpoints.
 */
public interface FailureContract {

    /**
     * Stops the server and calls every method of a store opened before: {@code list}, {@code register}, {@code renew}
     * and {@code deregister} must throw {@code StoreUnavailableException} with a message, and a watch started then must
     * throw it or report it through {@code onError} within three propagation bounds. Scale: one outage.
     */
    @Test
    @DisplayName("5.1 every method of a store whose server is down throws StoreUnavailableException with a message; a "
            + "watch started then throws it or reports it through onError")
    default void downStoreGivesClearError(TckContext tck) throws Exception {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        Endpoint e = endpoint(service, tck.home(), 1);
        tck.whileStopped(tck.home(), () -> {
            tck.within(tck.propagation()).untilAsserted(() -> assertThatThrownBy(() -> store.list(service, tck.home()))
                    .isInstanceOf(StoreUnavailableException.class)
                    .satisfies(t -> assertThat(t.getMessage()).isNotBlank()));
            assertThatThrownBy(() -> store.register(e, tck.policy())).isInstanceOf(StoreUnavailableException.class);
            assertThatThrownBy(() -> store.renew(service, e.id())).isInstanceOf(StoreUnavailableException.class);
            assertThatThrownBy(() -> store.deregister(service, e.id())).isInstanceOf(StoreUnavailableException.class);
            SnapshotRecorder rec = new SnapshotRecorder();
            try {
                assertThat(tck.watch(store, service, tck.home(), rec)).as("a watch started while down").isNotNull();
                tck.within(tck.propagation().multipliedBy(3)).until(() -> !rec.errors().isEmpty());
                assertThat(rec.errors().get(0)).isInstanceOf(StoreUnavailableException.class);
            } catch (StoreUnavailableException refused) {
                // Refusing the watch at once is the other way to say the same.
            }
        });
    }

    /**
     * Stops the server under a running watch: it must report one {@code onError} with a {@code
     * StoreUnavailableException} within three propagation bounds, and nothing after it. Scale: one outage.
     */
    @Test
    @DisplayName("5.2 a watch of a store that goes down ends with one onError")
    default void watchReportsOutage(TckContext tck) throws Exception {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        SnapshotRecorder rec = tck.watching(store, service, tck.home());
        tck.whileStopped(tck.home(), () -> tck.within(tck.propagation().multipliedBy(3))
                .until(() -> !rec.errors().isEmpty()));
        assertThat(rec.errors().get(0)).isInstanceOf(StoreUnavailableException.class);
        assertThat(rec.protocolViolations()).isEmpty();
    }

    /**
     * Stops and starts the server under a store that registered an endpoint; once {@link StoreFixture#start} returned,
     * the same store instance must register and list within the propagation bound. A store whose client reconnects in
     * the background with a backoff fails this unless its fixture's {@code start} waits for it (see there). Scale: one
     * outage, two endpoints.
     */
    @Test
    @DisplayName("5.3 once the server is back, the same store instance registers and lists again by itself")
    default void storeServesAgainAfterRestart(TckContext tck) throws Exception {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        store.register(endpoint(service, tck.home(), 1), tck.longLived());
        tck.whileStopped(tck.home(), () -> tck.within(tck.propagation())
                .untilAsserted(() -> assertThatThrownBy(() -> store.list(service, tck.home()))
                        .isInstanceOf(StoreUnavailableException.class)));

        Endpoint back = endpoint(service, tck.home(), 2);
        try {
            tck.within(tck.propagation()).untilAsserted(() -> {
                store.register(back, tck.longLived());
                assertThat(withoutSince(store.list(service, tck.home()))).contains(new EndpointStatus(back, Health.PASSING));
            });
        } catch (StoreUnavailableException stillDown) {
            throw new AssertionError("the store opened before the outage is still unavailable after StoreFixture.start"
                    + " returned: start must return only once the store serves again, not only its server (a client"
                    + " that reconnects with a backoff has not reconnected yet; see StoreFixture.start)", stillDown);
        }
    }

    /**
     * Resolves a heartbeated endpoint through a {@code Directory}, stops the server: the directory must keep resolving
     * and selecting it, marked stale, and be fresh again once the server is back, within the time a heartbeater takes
     * to register again plus the core's update bound. Scale: one outage, one endpoint.
     */
    @Test
    @DisplayName("5.4 the core keeps serving the last known endpoints, marked stale, and recovers by itself")
    default void coreServesStaleAndRecovers(TckContext tck) throws Exception {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        Directory dir = tck.directory(store);
        tck.heartbeater(store).register(endpoint(service, tck.home(), 1), tck.policy());
        tck.within(tck.coreUpdate()).until(() -> ids(dir.resolve(Query.of(service))).equals(Set.of("e1")));

        tck.whileStopped(tck.home(), () -> {
            tck.within(tck.propagation().multipliedBy(3)).until(() -> dir.resolve(Query.of(service)).isStale());
            Resolution r = dir.resolve(Query.of(service));
            assertThat(ids(r)).containsExactly("e1");
            assertThat(r.staleSince()).isPresent();
            assertThat(r.staleFor(Instant.now())).isPositive();
            try (Selection s = dir.select(Query.of(service))) {
                assertThat(s.endpoint().id()).isEqualTo("e1");
                assertThat(s.isStale()).isTrue();
            }
        });
        tck.within(tck.reRegistration().plus(tck.coreUpdate())).untilAsserted(() -> {
            Resolution r = dir.resolve(Query.of(service));
            assertThat(r.isStale()).isFalse();
            assertThat(ids(r)).containsExactly("e1");
        });
    }

    /**
     * Stops the server under a {@code Heartbeater}'s registration until the heartbeater reports it unhealthy; once the
     * server (which may have lost its data) is back, the registration must be listed passing again and the heartbeater
     * healthy. Scale: one outage, one endpoint.
     */
    @Test
    @DisplayName("5.5 registrations come back by themselves when a server that lost its data does")
    default void registrationsComeBack(TckContext tck) throws Exception {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        Heartbeater.Registration reg = tck.heartbeater(store).register(endpoint(service, tck.home(), 1), tck.policy());
        tck.within(tck.propagation()).until(() -> byId(store.list(service, tck.home())).get("e1") == Health.PASSING);

        tck.whileStopped(tck.home(), () -> tck.within(tck.reRegistration()).until(() -> !reg.isHealthy()));

        tck.within(tck.reRegistration().plus(tck.coreUpdate())).untilAsserted(() -> {
            assertThat(byId(store.list(service, tck.home()))).containsEntry("e1", Health.PASSING);
            assertThat(reg.isHealthy()).isTrue();
        });
    }

    private static Set<String> ids(Resolution r) {
        return r.endpoints().stream().map(Endpoint::id).collect(Collectors.toSet());
    }
}

package io.hotline.discovery.spi;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.NotRegisteredException;
import io.hotline.discovery.StoreUnavailableException;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import java.util.List;
import java.util.Set;

/**
 * The service-provider interface a store plugin implements: the few things a store can do natively.
 * Caching, selection, zone failover, stale-serving and heartbeats live in the core ({@link io.hotline.discovery.Directory},
 * {@link io.hotline.discovery.Heartbeater}) and work the same for every store.
 *
 * <p>A store serves one <em>home zone</em> (its federation unit: a Consul datacenter, a Redis deployment, a
 * DNS zone) and may be federated with others; {@link #zones()} lists them all. Endpoints registered through
 * a store lie within its home zone; {@link #list} and {@link #watch} take one of the zones from
 * {@link #zones()}.
 *
 * <p>Errors: a store that cannot be reached throws {@link StoreUnavailableException}, and once its server is back
 * the same instance serves again by itself (reconnecting as needed); a renewal of a
 * registration the store does not hold throws {@link NotRegisteredException}; invalid arguments throw
 * {@link IllegalArgumentException}. Implementations are thread-safe.
 *
 * <p>Services and ids are compared exactly, case included: {@code nova.Conductor} and {@code nova.conductor} are two
 * services, and no service's endpoints ever show in another's lookup, whatever the names share. Everything the
 * {@link Endpoint} model accepts (its limits, not a sample) is given back unchanged by {@link #list} and
 * {@link #watch}. The plugin guide numbers these rules as clauses, and the TCK has a test aimed at each.
 *
 * <pre>{@code
 * try (EndpointStore store = StoreProviders.load().open(HotlineConfig.load())) {
 *     store.register(endpoint, HealthPolicy.DEFAULT);
 *     List<EndpointStatus> now = store.list("nova.conductor", store.homeZone());
 * }
 * }</pre>
 */
public interface EndpointStore extends AutoCloseable {

    /** The zone this store registers into. */
    Zone homeZone();

    /** The home zone and every zone federated with it, current: a zone federated after the store opened shows up. */
    Set<Zone> zones();

    /**
     * Registers an endpoint, passing at once. A registration of the same service and id replaces the earlier one
     * entirely: every field, the metadata (keys not given again are gone), the policy, and the health (passing again,
     * even if it was critical).
     *
     * @throws IllegalArgumentException if the endpoint's zone is not {@link #homeZone()} or a zone inside it (a
     *     sibling whose name merely starts with the home zone's, or the home zone's parent, is outside), naming the
     *     zone; nothing is stored then
     */
    void register(Endpoint endpoint, HealthPolicy policy);

    /**
     * Records a heartbeat for a registration: it is passing for the down-after of the policy it was registered with,
     * counted from this renewal, critical from then on, and listed while critical until the policy's deregister-after
     * (counted from the last renewal), after which the store removes it. A renewal of a critical endpoint makes it
     * passing again.
     *
     * @throws NotRegisteredException if the store does not hold it (never registered, deregistered, expired, or the
     *     store lost its data)
     */
    void renew(String service, String id);

    /** Removes a registration; removing one that is not there is not an error. */
    void deregister(String service, String id);

    /**
     * Every endpoint of the service registered in {@code zone} or a zone inside it, critical ones included, each with
     * its health and, if the store can tell, since when that health holds ({@link EndpointStatus#since()}: a time the
     * store keeps, the same on every read until the health changes), however many there are (a store that reads in
     * pages reads them all).
     *
     * @param zone one of {@link #zones()}
     * @throws IllegalArgumentException if {@code zone} is not one of {@link #zones()}, naming it
     */
    List<EndpointStatus> list(String service, Zone zone);

    /**
     * Starts delivering snapshots of {@link #list(String, Zone)}: a first one promptly, then one after every
     * change (register, deregister, health), in order, within the store's propagation bound. Snapshots may
     * coalesce changes but never go back to an older state.
     *
     * <p>The first snapshot equals what {@link #list} gives; expiry is a change like any other; health never goes back
     * from critical to passing without a renewal or registration. On failure the store calls
     * {@link WatchListener#onError} once and delivers nothing more, even when the store comes back; the core opens a
     * new watch after a backoff. After {@link Watch#close} nothing more is delivered. Callbacks come from one thread
     * at a time per watch and must not block. {@link RelistingWatch} implements all this for stores without native
     * change notification.
     *
     * @throws IllegalArgumentException if {@code zone} is not one of {@link #zones()}, naming it
     */
    Watch watch(String service, Zone zone, WatchListener listener);

    /** Releases connections and threads; registrations stay until they expire or are deregistered. */
    @Override
    void close();

    /**
     * For implementations of {@link #register}: refuses an endpoint whose zone is not within the store's home zone,
     * with the message every store gives.
     */
    static void requireWithinHomeZone(Endpoint endpoint, Zone home) {
        if (!endpoint.zone().isWithin(home)) {
            throw new IllegalArgumentException("endpoint " + endpoint.id() + " of " + endpoint.service() + " is in zone "
                    + endpoint.zone() + ", outside this store's home zone " + home + "; give it the zone " + home
                    + " or one inside it, or register it through a store whose hotline.zone contains " + endpoint.zone());
        }
    }
}

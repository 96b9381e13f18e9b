package io.hotline.discovery;

import java.util.List;
import java.util.Set;

/**
 * The service-provider interface a store plugin implements: the few things a store can do natively.
 * Caching, selection, zone failover, stale-serving and heartbeats live in the core ({@link Directory},
 * {@link Heartbeater}) and work the same for every store.
 *
 * <p>A store serves one <em>home zone</em> (its federation unit: a Consul datacenter, a Redis deployment, a
 * DNS zone) and may be federated with others; {@link #zones()} lists them all. Endpoints registered through
 * a store lie within its home zone; {@link #list} and {@link #watch} take one of the zones from
 * {@link #zones()}.
 *
 * <p>Errors: a store that cannot be reached throws {@link StoreUnavailableException}; a renewal of a
 * registration the store does not hold throws {@link NotRegisteredException}; invalid arguments throw
 * {@link IllegalArgumentException}. Implementations are thread-safe.
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

    /** The home zone and every zone federated with it. */
    Set<Zone> zones();

    /**
     * Registers or replaces (same service and id) an endpoint, passing at once.
     *
     * @throws IllegalArgumentException if the endpoint's zone is not within {@link #homeZone()}
     */
    void register(Endpoint endpoint, HealthPolicy policy);

    /**
     * Records a heartbeat for a registration, keeping it passing for the policy's down-after.
     *
     * @throws NotRegisteredException if the store does not hold it (it expired or the store lost its data)
     */
    void renew(String service, String id);

    /** Removes a registration; removing one that is not there is not an error. */
    void deregister(String service, String id);

    /**
     * Every endpoint of the service registered in {@code zone}, critical ones included, each with its health.
     *
     * @param zone one of {@link #zones()}
     */
    List<EndpointStatus> list(String service, Zone zone);

    /**
     * Starts delivering snapshots of {@link #list(String, Zone)}: a first one promptly, then one after every
     * change (register, deregister, health), in order, within the store's propagation bound. Snapshots may
     * coalesce changes but never go back to an older state.
     *
     * <p>On failure the store calls {@link WatchListener#onError} once and delivers nothing more; the core opens a
     * new watch after a backoff. Callbacks come from one thread at a time per watch and must not block.
     * {@link RelistingWatch} implements all this for stores without native change notification.
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

package io.hotline.cli;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Zone;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.Watch;
import io.hotline.discovery.spi.WatchListener;
import java.util.List;
import java.util.Set;

/**
 * One demo compute's view of the store, whose heartbeats can be cut: what a hung nova-compute looks like to the
 * store. Its registration stays; the store alone decides, after down-after, that it is down.
 */
final class ReportSwitch implements EndpointStore {

    private final EndpointStore store;
    private volatile boolean reporting = true;

    ReportSwitch(EndpointStore store) {
        this.store = store;
    }

    void stopReporting() {
        reporting = false;
    }

    @Override
    public Zone homeZone() {
        return store.homeZone();
    }

    @Override
    public Set<Zone> zones() {
        return store.zones();
    }

    @Override
    public void register(Endpoint endpoint, HealthPolicy policy) {
        store.register(endpoint, policy);
    }

    @Override
    public void renew(String service, String id) {
        if (reporting) {
            store.renew(service, id);
        }
    }

    @Override
    public void deregister(String service, String id) {
        store.deregister(service, id);
    }

    @Override
    public List<EndpointStatus> list(String service, Zone zone) {
        return store.list(service, zone);
    }

    @Override
    public Watch watch(String service, Zone zone, WatchListener listener) {
        return store.watch(service, zone, listener);
    }

    /** The shared store is the cloud's to close. */
    @Override
    public void close() {}
}

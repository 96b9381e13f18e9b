package com.example.hotline;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Zone;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.Watch;
import io.hotline.discovery.spi.WatchListener;
import java.util.List;
import java.util.Set;

/** Passes every call to another store; each broken store overrides the one method it breaks. */
abstract class ForwardingStore implements EndpointStore {

    final EndpointStore inner;

    ForwardingStore(EndpointStore inner) {
        this.inner = inner;
    }

    @Override
    public Zone homeZone() {
        return inner.homeZone();
    }

    @Override
    public Set<Zone> zones() {
        return inner.zones();
    }

    @Override
    public void register(Endpoint endpoint, HealthPolicy policy) {
        inner.register(endpoint, policy);
    }

    @Override
    public void renew(String service, String id) {
        inner.renew(service, id);
    }

    @Override
    public void deregister(String service, String id) {
        inner.deregister(service, id);
    }

    @Override
    public List<EndpointStatus> list(String service, Zone zone) {
        return inner.list(service, zone);
    }

    @Override
    public Watch watch(String service, Zone zone, WatchListener listener) {
        return inner.watch(service, zone, listener);
    }

    @Override
    public void close() {
        inner.close();
    }
}

package io.hotline.discovery.spi;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Zone;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A store that passes every call to {@link #delegate}, for a wrapper that changes or watches a few of them (counts
 * renewals, cuts heartbeats, breaks one contract on purpose) by overriding just those.
 *
 * <pre>{@code
 * EndpointStore counting = new ForwardingEndpointStore(store) {
 *     @Override
 *     public void renew(String service, String id) {
 *         renewals.incrementAndGet();
 *         super.renew(service, id);
 *     }
 * };
 * }</pre>
 */
public abstract class ForwardingEndpointStore implements EndpointStore {

    /** The store every call goes to unless overridden. */
    protected final EndpointStore delegate;

    protected ForwardingEndpointStore(EndpointStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public Zone homeZone() {
        return delegate.homeZone();
    }

    @Override
    public Set<Zone> zones() {
        return delegate.zones();
    }

    @Override
    public void register(Endpoint endpoint, HealthPolicy policy) {
        delegate.register(endpoint, policy);
    }

    @Override
    public void renew(String service, String id) {
        delegate.renew(service, id);
    }

    @Override
    public void deregister(String service, String id) {
        delegate.deregister(service, id);
    }

    @Override
    public List<EndpointStatus> list(String service, Zone zone) {
        return delegate.list(service, zone);
    }

    @Override
    public Watch watch(String service, Zone zone, WatchListener listener) {
        return delegate.watch(service, zone, listener);
    }

    /** Closes the delegate; a wrapper whose caller closes the delegate itself overrides this. */
    @Override
    public void close() {
        delegate.close();
    }
}

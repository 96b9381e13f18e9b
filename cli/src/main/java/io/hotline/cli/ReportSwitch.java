package io.hotline.cli;

import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.ForwardingEndpointStore;

/**
 * One demo compute's view of the store, whose heartbeats can be cut: what a hung nova-compute looks like to the
 * store. Its registration stays; the store alone decides, after down-after, that it is down.
 */
final class ReportSwitch extends ForwardingEndpointStore {

    private volatile boolean reporting = true;

    ReportSwitch(EndpointStore store) {
        super(store);
    }

    void stopReporting() {
        reporting = false;
    }

    @Override
    public void renew(String service, String id) {
        if (reporting) {
            super.renew(service, id);
        }
    }

    /** The shared store is the cloud's to close. */
    @Override
    public void close() {}
}

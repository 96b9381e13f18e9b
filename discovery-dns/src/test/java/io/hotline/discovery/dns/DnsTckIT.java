package io.hotline.discovery.dns;

import io.hotline.tck.DnsStoreFixture;
import io.hotline.tck.EndpointStoreCompatibilityKit;
import io.hotline.tck.StoreFixture;

/** The dns store keeps every contract on real BIND: two zones on two name servers (see {@link DnsStoreFixture}). */
class DnsTckIT extends EndpointStoreCompatibilityKit {
    @Override
    protected StoreFixture createFixture() {
        return DnsStoreFixture.start();
    }
}

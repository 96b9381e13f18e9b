package io.hotline.discovery.consul;

import io.hotline.tck.ConsulStoreFixture;
import io.hotline.tck.EndpointStoreCompatibilityKit;
import io.hotline.tck.StoreFixture;

/** The consul store keeps every contract of the TCK, against two real, WAN-joined Consul datacenters. */
class ConsulStoreTckIT extends EndpointStoreCompatibilityKit {
    @Override
    protected StoreFixture createFixture() {
        return new ConsulStoreFixture();
    }
}

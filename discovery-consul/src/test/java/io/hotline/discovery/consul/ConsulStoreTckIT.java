package io.hotline.discovery.consul;

import static io.hotline.tck.EndpointStoreCompatibilityKit.CONCURRENCY;
import static io.hotline.tck.EndpointStoreCompatibilityKit.FAILURE;
import static io.hotline.tck.EndpointStoreCompatibilityKit.REGISTRATION;
import static io.hotline.tck.EndpointStoreCompatibilityKit.ZONES;

import io.hotline.tck.ConsulStoreFixture;
import io.hotline.tck.EndpointStoreCompatibilityKit;
import io.hotline.tck.OnlyContracts;
import io.hotline.tck.StoreFixture;

/**
 * The consul store keeps every contract of the TCK, against two real, WAN-joined Consul datacenters: these four here,
 * health and watch in {@link ConsulStoreHealthAndWatchTckIT}, which Failsafe runs at the same time.
 */
@OnlyContracts({REGISTRATION, ZONES, FAILURE, CONCURRENCY})
class ConsulStoreTckIT extends EndpointStoreCompatibilityKit {
    @Override
    protected StoreFixture createFixture() {
        return new ConsulStoreFixture();
    }
}

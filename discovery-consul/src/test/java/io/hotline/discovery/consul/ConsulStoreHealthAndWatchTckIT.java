package io.hotline.discovery.consul;

import static io.hotline.tck.EndpointStoreCompatibilityKit.HEALTH;
import static io.hotline.tck.EndpointStoreCompatibilityKit.WATCH;

import io.hotline.tck.ConsulStoreFixture;
import io.hotline.tck.EndpointStoreCompatibilityKit;
import io.hotline.tck.OnlyContracts;
import io.hotline.tck.StoreFixture;

/**
 * The health and watch contracts of the TCK on Consul, apart from the others ({@link ConsulStoreTckIT}) so that the
 * two classes run at the same time, each on its own datacenters: each of these groups waits about 1.5 minutes for
 * Consul's reaper (deregister-after has a 1 minute minimum, and the reaper sweeps every 30 s), which is most of the
 * kit's time on Consul.
 */
@OnlyContracts({HEALTH, WATCH})
class ConsulStoreHealthAndWatchTckIT extends EndpointStoreCompatibilityKit {
    @Override
    protected StoreFixture createFixture() {
        return new ConsulStoreFixture();
    }
}

package io.hotline.discovery.redis;

import io.hotline.tck.EndpointStoreCompatibilityKit;
import io.hotline.tck.RedisStoreFixture;
import io.hotline.tck.StoreFixture;

/** The redis store keeps every contract on cluster Redis (see {@link RedisStoreFixture#cluster()}). */
class RedisClusterTckIT extends EndpointStoreCompatibilityKit {
    @Override
    protected StoreFixture createFixture() {
        return RedisStoreFixture.cluster();
    }
}

package io.hotline.discovery.redis;

import io.hotline.tck.EndpointStoreCompatibilityKit;
import io.hotline.tck.RedisStoreFixture;
import io.hotline.tck.StoreFixture;

/** The redis store keeps every contract on sentinel Redis (see {@link RedisStoreFixture#sentinel()}). */
class RedisSentinelTckIT extends EndpointStoreCompatibilityKit {
    @Override
    protected StoreFixture createFixture() {
        return RedisStoreFixture.sentinel();
    }
}

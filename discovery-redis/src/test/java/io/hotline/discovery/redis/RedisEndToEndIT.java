package io.hotline.discovery.redis;

import io.hotline.broadcaster.testing.StoreEndToEnd;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.testing.RedisServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RPC servers, a broadcaster and a client that find each other only through a real Redis: call, cast, fanout. */
class RedisEndToEndIT {

    @Test
    void callCastAndFanoutThroughRedis() throws Exception {
        try (RedisServer redis = RedisServer.builder().start()) {
            StoreEndToEnd.callCastAndFanout(HotlineConfig.of(Map.of("hotline.store", "redis",
                    "hotline.redis.nodes", redis.address())), Zone.of("region-one/az-1"));
        }
    }
}

package io.hotline.discovery.keystone;

import io.hotline.broadcaster.testing.StoreEndToEnd;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.testing.KeystoneServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RPC servers, a broadcaster and a client that find each other only through a real Keystone: call, cast, fanout. */
class KeystoneEndToEndIT {

    @Test
    void callCastAndFanoutThroughKeystone() throws Exception {
        try (KeystoneServer keystone = KeystoneServer.builder().name("keystone-e2e").regionId("region-one").start()) {
            StoreEndToEnd.callCastAndFanout(HotlineConfig.of(Map.of("hotline.store", "keystone",
                    "hotline.keystone.auth-url", keystone.url(),
                    "hotline.keystone.username", KeystoneServer.ADMIN,
                    "hotline.keystone.password", keystone.adminPassword(),
                    "hotline.keystone.project-name", KeystoneServer.ADMIN,
                    "hotline.keystone.poll-interval", "200ms")), Zone.of("region-one/az-1"));
        }
    }
}

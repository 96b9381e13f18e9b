package io.hotline.discovery.dns;

import io.hotline.broadcaster.testing.StoreEndToEnd;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.testing.NamedServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RPC servers, a broadcaster and a client that find each other only through a real BIND: call, cast, fanout. */
class DnsEndToEndIT {

    @Test
    void callCastAndFanoutThroughDns() throws Exception {
        try (NamedServer named = NamedServer.builder().zone("az-1.region-one.rpc.test.", "hotline").start()) {
            StoreEndToEnd.callCastAndFanout(HotlineConfig.of(Map.of("hotline.store", "dns",
                    "hotline.dns.domain", "rpc.test.",
                    "hotline.dns.server", named.address(),
                    "hotline.dns.tsig-key-name", "hotline",
                    "hotline.dns.tsig-secret", named.key("hotline").secret(),
                    "hotline.dns.poll-interval", "200ms")), Zone.of("region-one/az-1"));
        }
    }
}

package io.hotline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hotline.testing.ConsulAgent;
import io.hotline.testing.KeystoneServer;
import io.hotline.testing.NamedServer;
import io.hotline.testing.RedisServer;
import org.junit.jupiter.api.Test;

/**
 * {@code hotline demo --store consul|redis|dns|keystone}: the same flow on real servers, found by the jar's own
 * ServiceLoader.
 */
class DemoOnRealStoresIT {

    @Test
    void theNovaBootFlowRunsOnRedis() {
        try (RedisServer redis = RedisServer.builder().start()) {
            assertDemoPasses(Cli.raw("demo", "--store", "redis", "--set", "hotline.redis.nodes=" + redis.address()),
                    "redis");
        }
    }

    @Test
    void theNovaBootFlowRunsOnDns() {
        // The demo's zones are region-one/az-1 and az-2: names under one DNS zone, region-one.rpc.test.
        try (NamedServer named = NamedServer.builder().zone("region-one.rpc.test.", "hotline-demo").start()) {
            assertDemoPasses(Cli.raw("demo", "--store", "dns", "--set", "hotline.dns.domain=rpc.test.",
                    "--set", "hotline.dns.server=" + named.address(), "--set", "hotline.dns.tsig-key-name=hotline-demo",
                    "--set", "hotline.dns.tsig-secret-file=" + named.keyFile("hotline-demo"),
                    "--set", "hotline.dns.poll-interval=200ms"), "dns");
        }
    }

    @Test
    void theNovaBootFlowRunsOnKeystone() {
        // The demo's zones are region-one/az-1 and az-2: regions region-one.az-1 and region-one.az-2 under region-one.
        try (KeystoneServer keystone = KeystoneServer.builder().name("keystone-demo").regionId("region-one").start()) {
            assertDemoPasses(Cli.raw("demo", "--store", "keystone",
                    "--set", "hotline.keystone.auth-url=" + keystone.url(),
                    "--set", "hotline.keystone.username=" + KeystoneServer.ADMIN,
                    "--set", "hotline.keystone.password=" + keystone.adminPassword(),
                    "--set", "hotline.keystone.project-name=" + KeystoneServer.ADMIN,
                    "--set", "hotline.keystone.poll-interval=200ms"), "keystone");
        }
    }

    @Test
    void theNovaBootFlowRunsOnConsul() {
        // The demo's zones are region-one/az-1 and az-2: one Consul datacenter named region-one, its AZs in Meta.
        try (ConsulAgent consul = ConsulAgent.builder("region-one").build().start()) {
            assertDemoPasses(Cli.raw("demo", "--store", "consul", "--set", "hotline.consul.port=" + consul.httpPort()),
                    "consul");
        }
    }

    private static void assertDemoPasses(Cli.Result r, String store) {
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out())
                .contains("on the '" + store + "' store")
                .contains("3 targeted, 3 delivered: compute-1, compute-2, compute-3")
                .contains("compute-3 shown down")
                .containsPattern("scheduler-2 \\(region-one/az-2, failover\\) chose compute-[12]")
                .contains("demo passed: 11 steps");
    }
}

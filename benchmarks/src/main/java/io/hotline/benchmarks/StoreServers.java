package io.hotline.benchmarks;

import io.hotline.discovery.Zone;
import io.hotline.testing.KeystoneServer;
import io.hotline.testing.NamedServer;
import java.util.Map;

/**
 * The private BIND and Keystone that the dns and keystone benchmarks run their stores against, and the store
 * configuration that reaches each: one place for the DNS zone and its TSIG key and for Keystone's region and admin
 * credentials, shared by {@link DnsStoreBenchmark}, {@link KeystoneStoreBenchmark} and {@link FleetBenchmark}.
 */
final class StoreServers {

    /** The zone every benchmark registers in. */
    static final Zone ZONE = Zone.of("region-one/az-1");
    /** {@code hotline.dns.domain}. */
    static final String DNS_DOMAIN = "rpc.test.";
    /** The DNS zone {@link #ZONE}'s names go under, given that domain. */
    static final String DNS_ZONE = "az-1.region-one." + DNS_DOMAIN;
    /** The TSIG key the DNS zone grants updates to. */
    static final String DNS_KEY = "hotline-az1";
    /** Keystone's bootstrap region: {@link #ZONE}'s region {@code region-one.az-1} goes under it. */
    private static final String KEYSTONE_REGION = "region-one";

    private StoreServers() {}

    /** A private {@code named} serving {@link #DNS_ZONE} as a dynamic zone, updates signed with {@link #DNS_KEY}. */
    static NamedServer named(String name) {
        return NamedServer.builder().name(name).zone(DNS_ZONE, DNS_KEY).start();
    }

    /** The dns store on {@code named} in {@link #ZONE}, updates signed with its key; other keys at their defaults. */
    static Map<String, String> dns(NamedServer named) {
        NamedServer.TsigKey key = named.key(DNS_KEY);
        return Map.of("hotline.store", "dns", "hotline.zone", ZONE.path(),
                "hotline.dns.domain", DNS_DOMAIN, "hotline.dns.server", named.address(),
                "hotline.dns.tsig-key-name", key.name(), "hotline.dns.tsig-secret", key.secret());
    }

    /** A private Keystone, one uWSGI worker process (the "one Keystone process"). */
    static KeystoneServer keystone(String name) {
        return KeystoneServer.builder().name(name).regionId(KEYSTONE_REGION).start();
    }

    /** The keystone store on {@code keystone} in {@link #ZONE}, as admin; other keys at their defaults. */
    static Map<String, String> keystone(KeystoneServer keystone) {
        return Map.of("hotline.store", "keystone", "hotline.zone", ZONE.path(),
                "hotline.keystone.auth-url", keystone.url(),
                "hotline.keystone.username", KeystoneServer.ADMIN,
                "hotline.keystone.password", keystone.adminPassword(),
                "hotline.keystone.project-name", KeystoneServer.ADMIN);
    }
}

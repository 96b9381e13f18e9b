package io.hotline.tck;

import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.testing.Closer;
import io.hotline.testing.NamedServer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs the kit against real BIND: one {@code named} per zone ({@code region-one/az-1} and {@code region-one/az-2}, DNS
 * zones {@code az-1.region-one.rpc.test.} and {@code az-2.region-one.rpc.test.}), each with its own TSIG key, each
 * zone's store federated with the other through {@code hotline.dns.remotes}. Stopping a zone kills its {@code named};
 * starting it brings it back from its zone file and journal, with the registrations it held.
 *
 * <p>Needs the {@code dns} store on the class path and BIND's {@code named} ({@code scripts/install-deps} installs
 * it); {@code hotline tck --store dns} runs this set-up.
 */
public final class DnsStoreFixture implements StoreFixture {

    static final String DOMAIN = "rpc.test.";
    private static final Zone HOME = Zone.of("region-one/az-1");
    private static final Zone REMOTE = Zone.of("region-one/az-2");
    /**
     * Every renewal is a signed update that {@code named} (one thread here) journals: on two busy cores one can take
     * most of a second, so endpoints are given two seconds before they count as down.
     */
    private static final HealthPolicy POLICY =
            HealthPolicy.of(Duration.ofMillis(250), Duration.ofSeconds(2), Duration.ofSeconds(4));
    /**
     * A watch polls every 100 ms, and a poll (an SOA query and an IXFR over TCP) takes up to a second or more on two
     * busy cores; the reaper checks its turn every 200 ms and takes over from a closed store after three turns, then waits
     * out deregister-after on its own clock (readers stop listing an expired endpoint at once).
     */
    private static final StoreTiming TIMING = new StoreTiming(POLICY, Duration.ofSeconds(2), Duration.ofSeconds(3));

    private final Map<Zone, NamedServer> servers;
    private final Closer resources;

    private DnsStoreFixture(Map<Zone, NamedServer> servers, Closer resources) {
        this.servers = servers;
        this.resources = resources;
    }

    /** Starts one {@code named} per zone; if the second fails, stops the first. */
    public static DnsStoreFixture start() {
        Closer resources = new Closer();
        try {
            Map<Zone, NamedServer> servers = new LinkedHashMap<>();
            servers.put(HOME, resources.track(NamedServer.builder().name("named-az1")
                    .zone(domainOf(HOME), "hotline-az1").start()));
            servers.put(REMOTE, resources.track(NamedServer.builder().name("named-az2")
                    .zone(domainOf(REMOTE), "hotline-az2").start()));
            return new DnsStoreFixture(servers, resources);
        } catch (RuntimeException e) {
            resources.closeOrFail("the fixture's name servers");
            throw e;
        }
    }

    /** {@code az-1.region-one.rpc.test.} for {@code region-one/az-1}. */
    static String domainOf(Zone zone) {
        StringBuilder b = new StringBuilder();
        for (int i = zone.segments().size() - 1; i >= 0; i--) {
            b.append(zone.segments().get(i)).append('.');
        }
        return b + DOMAIN;
    }

    /** The {@code hotline.dns.*} keys, without the prefix, that reach the server of {@code zone} with its key. */
    private Map<String, String> site(Zone zone) {
        NamedServer server = servers.get(zone);
        NamedServer.TsigKey key = server.key(keyName(zone));
        Map<String, String> m = new LinkedHashMap<>();
        m.put("server", server.address());
        m.put("tsig-key-name", key.name());
        m.put("tsig-secret", key.secret());
        m.put("timeout", "5s");
        m.put("poll-interval", "100ms");
        m.put("reap-interval", "200ms");
        return m;
    }

    private static String keyName(Zone zone) {
        return zone.equals(HOME) ? "hotline-az1" : "hotline-az2";
    }

    /** The configuration a process in {@code zone} would have: its own server, and the other zone's as a remote. */
    private HotlineConfig config(Zone zone) {
        Map<Zone, Map<String, String>> keys = new LinkedHashMap<>();
        servers.keySet().forEach(z -> keys.put(z, site(z)));
        return FederatedConfig.of("dns", zone, keys, Map.of("domain", DOMAIN));
    }

    @Override
    public Zone homeZone() {
        return HOME;
    }

    @Override
    public Zone remoteZone() {
        return REMOTE;
    }

    @Override
    public EndpointStore open(Zone zone) {
        return StoreProviders.load().open(config(zone));
    }

    @Override
    public void stop(Zone zone) {
        servers.get(zone).kill();
    }

    @Override
    public void start(Zone zone) {
        servers.get(zone).start();
    }

    @Override
    public StoreTiming timing() {
        return TIMING;
    }

    @Override
    public void close() {
        resources.closeOrFail("the fixture's name servers");
    }


    /** Makes the fixture for {@code hotline.store=dns}. */
    public static final class Provider implements TckFixtureProvider {
        @Override
        public String storeName() {
            return "dns";
        }

        @Override
        public StoreFixture create(HotlineConfig config) {
            return start();
        }
    }
}

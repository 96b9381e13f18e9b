package io.hotline.tck;

import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.testing.Closer;
import io.hotline.testing.KeystoneServer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs the kit against real Keystone: one Keystone per zone ({@code region-one/az-1} and {@code region-one/az-2}, the
 * regions {@code region-one.az-1} and {@code region-one.az-2}), each zone's store federated with the other through
 * {@code hotline.keystone.remotes}. Each Keystone has two uWSGI workers, as real ones have several: one would take
 * twice as long over the size contract's 10,000 writes. Stopping a zone kills its Keystone (workers included);
 * starting it brings it back with its database, so the registrations it held are there again.
 *
 * <p>Needs the {@code keystone} store on the class path and Debian's {@code keystone} and {@code uwsgi}
 * ({@code scripts/install-deps} installs them); {@code hotline tck --store keystone} runs this set-up.
 */
public final class KeystoneStoreFixture implements StoreFixture {

    private static final Zone HOME = Zone.of("region-one/az-1");
    private static final Zone REMOTE = Zone.of("region-one/az-2");
    /**
     * Keystone's clock is read from Date headers to the second: leases are never judged older than they are, and may
     * be judged younger by the writer's and reader's uncertainty (a second each at first, tens of milliseconds once
     * answers have crossed a few second boundaries), which the 2 s propagation bound covers.
     */
    private static final HealthPolicy POLICY =
            HealthPolicy.of(Duration.ofMillis(500), Duration.ofSeconds(3), Duration.ofSeconds(6));
    /**
     * A watch polls every 500 ms, and a request takes up to a few hundred under load; the reaper checks its turn every
     * second and takes over from a closed store after three (readers stop listing an expired endpoint at once).
     */
    private static final StoreTiming TIMING = new StoreTiming(POLICY, Duration.ofSeconds(2), Duration.ofSeconds(8));

    private final Map<Zone, KeystoneServer> servers;
    private final Closer resources;

    private KeystoneStoreFixture(Map<Zone, KeystoneServer> servers, Closer resources) {
        this.servers = servers;
        this.resources = resources;
    }

    /** Starts one Keystone per zone; if the second fails, stops the first. */
    public static KeystoneStoreFixture start() {
        Closer resources = new Closer();
        try {
            Map<Zone, KeystoneServer> servers = new LinkedHashMap<>();
            servers.put(HOME, resources.track(KeystoneServer.builder().name("keystone-az1").processes(2).start()));
            servers.put(REMOTE, resources.track(KeystoneServer.builder().name("keystone-az2").processes(2).start()));
            return new KeystoneStoreFixture(servers, resources);
        } catch (RuntimeException e) {
            resources.closeOrFail("the fixture's Keystones");
            throw e;
        }
    }

    /** The {@code hotline.keystone.*} keys, without the prefix, that reach the Keystone of {@code zone} as its admin. */
    private Map<String, String> site(Zone zone) {
        KeystoneServer server = servers.get(zone);
        return Map.of("auth-url", server.url(), "username", KeystoneServer.ADMIN, "password", server.adminPassword(),
                "project-name", KeystoneServer.ADMIN);
    }

    /** The configuration a process in {@code zone} would have: its own Keystone, and the other zone's as a remote. */
    private HotlineConfig config(Zone zone) {
        Map<Zone, Map<String, String>> keys = new LinkedHashMap<>();
        servers.keySet().forEach(z -> keys.put(z, site(z)));
        return FederatedConfig.of("keystone", zone, keys, Map.of("timeout", "5s", "poll-interval", "500ms",
                "reap-interval", "1s"));
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
        resources.closeOrFail("the fixture's Keystones");
    }

    /** Makes the fixture for {@code hotline.store=keystone}. */
    public static final class Provider implements TckFixtureProvider {
        @Override
        public String storeName() {
            return "keystone";
        }

        @Override
        public StoreFixture create(HotlineConfig config) {
            return start();
        }
    }
}

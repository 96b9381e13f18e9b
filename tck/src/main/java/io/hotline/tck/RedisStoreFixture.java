package io.hotline.tck;

import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.testing.Closer;
import io.hotline.testing.RedisCluster;
import io.hotline.testing.RedisSentinel;
import io.hotline.testing.RedisServer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs the kit against real Redis: one deployment per zone ({@code region-one/az-1} and {@code region-one/az-2}),
 * each zone's store federated with the other through {@code hotline.redis.remotes}. Stopping a zone kills its
 * server(s); starting it brings them back empty, as a restart that lost its data.
 *
 * <p>Needs the {@code redis} store on the class path and {@code redis-server} on the PATH ({@code scripts/install-deps}
 * installs it); {@code hotline tck --store redis} runs the standalone set-up.
 */
public final class RedisStoreFixture implements StoreFixture {

    private static final Zone HOME = Zone.of("region-one/az-1");
    private static final Zone REMOTE = Zone.of("region-one/az-2");

    private static final HealthPolicy POLICY =
            HealthPolicy.of(Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofMillis(1500));
    private static final StoreTiming TIMING = new StoreTiming(POLICY, Duration.ofMillis(500), Duration.ofMillis(200));
    /** The Cluster client retries a refused command within the 1 s timeout before it reports the outage. */
    private static final StoreTiming CLUSTER_TIMING =
            new StoreTiming(POLICY, Duration.ofMillis(1500), Duration.ofMillis(200));

    /** How a zone's deployment is reached ({@code hotline.redis.*} keys without the prefix) and taken down. */
    record Site(Map<String, String> settings, Runnable stop, Runnable start) {}

    private final Map<Zone, Site> sites;
    private final Closer resources;

    private final StoreTiming timing;

    private RedisStoreFixture(Map<Zone, Site> sites, Closer resources, StoreTiming timing) {
        this.sites = sites;
        this.resources = resources;
        this.timing = timing;
    }

    /** Two standalone servers. */
    public static RedisStoreFixture standalone() {
        return build(TIMING, resources -> {
            RedisServer a = resources.track(RedisServer.builder().name("redis-az1").start());
            RedisServer b = resources.track(RedisServer.builder().name("redis-az2").start());
            return Map.of(HOME, new Site(Map.of("nodes", a.address()), a::stop, a::start),
                    REMOTE, new Site(Map.of("nodes", b.address()), b::stop, b::start));
        });
    }

    /** Two masters behind one sentinel, each zone's store asking the sentinel for its master. */
    public static RedisStoreFixture sentinel() {
        return build(TIMING, resources -> {
            RedisServer a = resources.track(RedisServer.builder().name("redis-master-az1").start());
            RedisServer b = resources.track(RedisServer.builder().name("redis-master-az2").start());
            RedisSentinel sentinel = resources.track(RedisSentinel.start(Map.of("az1", a, "az2", b)));
            return Map.of(HOME, new Site(Map.of("mode", "sentinel", "nodes", sentinel.address(), "sentinel-master",
                            "az1"), a::stop, a::start),
                    REMOTE, new Site(Map.of("mode", "sentinel", "nodes", sentinel.address(), "sentinel-master", "az2"),
                            b::stop, b::start));
        });
    }

    /** A three-master cluster for the home zone, federated with a standalone server for the other. */
    public static RedisStoreFixture cluster() {
        return build(CLUSTER_TIMING, resources -> {
            RedisCluster cluster = resources.track(RedisCluster.create());
            RedisServer b = resources.track(RedisServer.builder().name("redis-az2").start());
            return Map.of(HOME, new Site(Map.of("mode", "cluster", "nodes", cluster.addresses()), cluster::stop,
                            cluster::start),
                    REMOTE, new Site(Map.of("nodes", b.address()), b::stop, b::start));
        });
    }

    /** Starts the servers; if one fails, stops those already started. */
    private static RedisStoreFixture build(StoreTiming timing, Function<Closer, Map<Zone, Site>> start) {
        Closer resources = new Closer();
        try {
            return new RedisStoreFixture(new LinkedHashMap<>(start.apply(resources)), resources, timing);
        } catch (RuntimeException e) {
            resources.closeOrFail("the fixture's servers");
            throw e;
        }
    }

    /** The configuration a process in {@code zone} would have: its own deployment, and the other zones' as remotes. */
    private HotlineConfig config(Zone zone) {
        Map<Zone, Map<String, String>> keys = new LinkedHashMap<>();
        sites.forEach((z, site) -> keys.put(z, site.settings()));
        return FederatedConfig.of("redis", zone, keys, Map.of("timeout", "1s", "connect-timeout", "500ms"));
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
        sites.get(zone).stop().run();
    }

    @Override
    public void start(Zone zone) {
        sites.get(zone).start().run();
    }

    @Override
    public StoreTiming timing() {
        return timing;
    }

    @Override
    public void close() {
        resources.closeOrFail("the fixture's servers");
    }


    /** Makes the standalone fixture for {@code hotline.store=redis}. */
    public static final class Provider implements TckFixtureProvider {
        @Override
        public String storeName() {
            return "redis";
        }

        @Override
        public StoreFixture create(HotlineConfig config) {
            return standalone();
        }
    }
}

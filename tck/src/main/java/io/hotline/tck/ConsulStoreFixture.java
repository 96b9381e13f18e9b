package io.hotline.tck;

import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.testing.ConsulAgent;
import java.time.Duration;
import java.util.Map;

/**
 * The kit against real Consul: two fresh {@code -dev} agents, datacenters {@code dc1} and {@code dc2}, WAN-joined; a
 * zone's outage stops its agent, and starting it again brings it back empty and rejoins the WAN pool.
 *
 * <p>The timing is Consul's: TTL checks turn critical a few ms after their TTL, a change reaches a blocking query in
 * ~12 ms, but a critical service is removed only after DeregisterCriticalServiceAfter (at least one minute) by a
 * reaper that runs every 30 s, so removal may come up to down-after + 30 s after deregister-after, plus load.
 *
 * <p>Needs the {@code consul} store on the class path and the consul binary where
 * {@link ConsulAgent} looks ({@code scripts/install-consul} puts it there); {@code hotline tck --store consul} runs it.
 */
public final class ConsulStoreFixture implements StoreFixture {

    private static final StoreTiming TIMING = new StoreTiming(
            HealthPolicy.of(Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofMinutes(1)),
            Duration.ofSeconds(3),
            Duration.ofSeconds(45));

    private final ConsulAgent dc1;
    private final ConsulAgent dc2;

    public ConsulStoreFixture() {
        ConsulAgent first = ConsulAgent.builder("dc1").build().start();
        try {
            this.dc2 = ConsulAgent.builder("dc2").build().start();
        } catch (RuntimeException e) {
            first.close();
            throw e;
        }
        this.dc1 = first;
        dc2.joinWan(dc1);
    }

    /** The configuration of a {@code consul} store over {@code agent} in {@code zone}. */
    public static HotlineConfig config(ConsulAgent agent, Zone zone) {
        return HotlineConfig.of(Map.of(
                HotlineConfig.STORE, "consul",
                HotlineConfig.ZONE, zone.path(),
                "hotline.consul.port", Integer.toString(agent.httpPort()),
                "hotline.consul.watch-wait", "10s"));
    }

    private ConsulAgent agent(Zone zone) {
        return zone.equals(homeZone()) ? dc1 : dc2;
    }

    @Override
    public Zone homeZone() {
        return Zone.of("dc1");
    }

    @Override
    public Zone remoteZone() {
        return Zone.of("dc2");
    }

    @Override
    public EndpointStore open(Zone zone) {
        return StoreProviders.load().open(config(agent(zone), zone));
    }

    @Override
    public void stop(Zone zone) {
        agent(zone).stop();
    }

    @Override
    public void start(Zone zone) {
        ConsulAgent agent = agent(zone);
        agent.start();
        agent.joinWan(agent == dc1 ? dc2 : dc1);
    }

    @Override
    public StoreTiming timing() {
        return TIMING;
    }

    @Override
    public void close() {
        dc1.close();
        dc2.close();
    }

    /** Makes the fixture for {@code hotline.store=consul}. */
    public static final class Provider implements TckFixtureProvider {
        @Override
        public String storeName() {
            return "consul";
        }

        @Override
        public StoreFixture create(HotlineConfig config) {
            return new ConsulStoreFixture();
        }
    }
}

package io.hotline.tck;

import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.memory.MemorySpace;
import io.hotline.discovery.memory.MemoryStoreProvider;
import io.hotline.discovery.spi.EndpointStore;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * Runs the kit against the embedded {@code memory} store: a fresh {@link MemorySpace} per fixture, zones
 * {@code region-one/az-1} and {@code region-one/az-2}, outages simulated by {@link MemorySpace#stop}.
 */
public final class MemoryStoreFixture implements StoreFixture {

    /**
     * Watches poll every 20 ms, but the bound is what the store keeps on a loaded machine: at load 10 to 20 on two
     * cores a woken thread waits hundreds of milliseconds for a core, and the kit must not fail a correct store then.
     */
    private static final StoreTiming TIMING = new StoreTiming(
            HealthPolicy.of(Duration.ofMillis(50), Duration.ofMillis(250), Duration.ofMillis(750)),
            Duration.ofMillis(500), Duration.ofMillis(100));

    private final HotlineConfig config;
    private final MemorySpace space;

    public MemoryStoreFixture() {
        this(HotlineConfig.of(Map.of()));
    }

    MemoryStoreFixture(HotlineConfig base) {
        String name = "tck-" + UUID.randomUUID();
        this.config = base.with(HotlineConfig.STORE, "memory")
                .with(MemoryStoreProvider.SPACE, name)
                .with(MemoryStoreProvider.POLL_INTERVAL, "20ms");
        this.space = MemorySpace.named(name);
    }

    @Override
    public Zone homeZone() {
        return Zone.of("region-one/az-1");
    }

    @Override
    public Zone remoteZone() {
        return Zone.of("region-one/az-2");
    }

    @Override
    public EndpointStore open(Zone zone) {
        return new MemoryStoreProvider().open(config.with(HotlineConfig.ZONE, zone.path()));
    }

    @Override
    public void stop(Zone zone) {
        space.stop(zone);
    }

    @Override
    public void start(Zone zone) {
        space.start(zone);
    }

    @Override
    public StoreTiming timing() {
        return TIMING;
    }

    @Override
    public void close() {
        // Nothing to stop: the space holds no threads and is dropped with the fixture's stores.
    }

    /** Lets the {@link TckRunner} test the {@code memory} store. */
    public static final class Provider implements TckFixtureProvider {
        @Override
        public String storeName() {
            return "memory";
        }

        @Override
        public StoreFixture create(HotlineConfig config) {
            return new MemoryStoreFixture(config);
        }
    }
}

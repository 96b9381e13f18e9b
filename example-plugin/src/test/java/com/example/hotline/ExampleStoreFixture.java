package com.example.hotline;

import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.tck.StoreFixture;
import io.hotline.tck.StoreTiming;
import io.hotline.tck.TckFixtureProvider;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * Runs the TCK against the {@code example} store: a fresh cluster per fixture (so kits never see each other's
 * registrations), zones {@code lab/rack-1} and {@code lab/rack-2}, outages by {@link ExampleServer#stop()}.
 *
 * <pre>{@code
 * class ExampleStoreTckIT extends EndpointStoreCompatibilityKit {
 *     protected StoreFixture createFixture() {
 *         return new ExampleStoreFixture();
 *     }
 * }
 * }</pre>
 */
public final class ExampleStoreFixture implements StoreFixture {

    /**
     * As tight as the store honours, so the kit runs fast: health is computed at read time and watches re-list every
     * 20 ms, so a change shows within a poll; expiry happens on the first read past the deadline, so removal needs
     * no slack beyond scheduling noise.
     */
    private static final StoreTiming TIMING = new StoreTiming(
            HealthPolicy.of(Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(1)),
            Duration.ofMillis(300), Duration.ofMillis(100));

    private final HotlineConfig config;
    private final String cluster;
    private final UnaryOperator<EndpointStore> decorator;

    public ExampleStoreFixture() {
        this(HotlineConfig.of(Map.of()), UnaryOperator.identity());
    }

    /** A fixture whose stores are wrapped by {@code decorator}: how the broken-store tests break one contract. */
    ExampleStoreFixture(UnaryOperator<EndpointStore> decorator) {
        this(HotlineConfig.of(Map.of()), decorator);
    }

    private ExampleStoreFixture(HotlineConfig base, UnaryOperator<EndpointStore> decorator) {
        this.cluster = "tck-" + UUID.randomUUID();
        this.config = base.with(HotlineConfig.STORE, "example")
                .with(ExampleStoreProvider.CLUSTER, cluster)
                .with(ExampleStoreProvider.POLL_INTERVAL, "20ms");
        this.decorator = decorator;
    }

    @Override
    public Zone homeZone() {
        return Zone.of("lab/rack-1");
    }

    @Override
    public Zone remoteZone() {
        return Zone.of("lab/rack-2");
    }

    /** Opens through {@link StoreProviders}, so the kit also proves the ServiceLoader registration works. */
    @Override
    public EndpointStore open(Zone zone) {
        return decorator.apply(StoreProviders.load().open(config.with(HotlineConfig.ZONE, zone.path())));
    }

    @Override
    public void stop(Zone zone) {
        ExampleServer.named(cluster, zone).stop();
    }

    @Override
    public void start(Zone zone) {
        ExampleServer.named(cluster, zone).start();
    }

    @Override
    public StoreTiming timing() {
        return TIMING;
    }

    @Override
    public void close() {
        ExampleServer.discard(cluster);
    }

    /** Lets the TCK's command-line runner test the {@code example} store ({@code hotline.store=example}). */
    public static final class Provider implements TckFixtureProvider {
        @Override
        public String storeName() {
            return "example";
        }

        @Override
        public StoreFixture create(HotlineConfig config) {
            return new ExampleStoreFixture(config, UnaryOperator.identity());
        }
    }
}

package com.example.hotline;

import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.EndpointStoreProvider;
import java.time.Duration;

/**
 * The {@code example} endpoint store: registrations live in an in-process {@link ExampleServer} per zone, one set of
 * servers per cluster. It exists to show what a store plugin needs, and nothing more; it is found by
 * {@link java.util.ServiceLoader} through {@code META-INF/services/io.hotline.discovery.spi.EndpointStoreProvider}.
 *
 * <pre>{@code
 * HotlineConfig config = HotlineConfig.of(Map.of(
 *         "hotline.store", "example",
 *         "hotline.zone", "lab/rack-1",
 *         "hotline.example.cluster", "lab"));
 * try (EndpointStore store = StoreProviders.load().open(config)) {
 *     store.register(endpoint, HealthPolicy.DEFAULT);
 * }
 * }</pre>
 *
 * <p>Keys: {@value #CLUSTER} (default {@code default}) names the cluster, whose zones are federated with each
 * other; {@value #POLL_INTERVAL} (default 100 ms) bounds how late a watcher sees a health change, while
 * registrations and removals reach watchers at once.
 */
public final class ExampleStoreProvider implements EndpointStoreProvider {

    public static final String CLUSTER = "hotline.example.cluster";
    public static final String POLL_INTERVAL = "hotline.example.poll-interval";

    @Override
    public String name() {
        return "example";
    }

    /**
     * Opens a store on the server of {@code config.zone()} in the configured cluster, creating that server if this
     * is the zone's first store.
     *
     * @throws IllegalArgumentException naming the key, where its value came from and how to fix it
     */
    @Override
    public EndpointStore open(HotlineConfig config) {
        String cluster = config.string(CLUSTER, "default");
        if (cluster.isEmpty()) {
            throw config.invalid(CLUSTER, "is empty; name the cluster, or leave the key unset for 'default'");
        }
        Duration poll = config.duration(POLL_INTERVAL, Duration.ofMillis(100));
        if (poll.isZero()) {
            throw config.invalid(POLL_INTERVAL, "must be positive, e.g. 100ms; it bounds how late a watcher sees "
                    + "a health change");
        }
        return new ExampleStore(cluster, config.zone(), poll);
    }
}

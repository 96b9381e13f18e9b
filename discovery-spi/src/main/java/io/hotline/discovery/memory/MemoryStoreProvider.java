package io.hotline.discovery.memory;

import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.EndpointStoreProvider;
import java.time.Duration;

/**
 * The {@code memory} store: registrations live in this JVM only, in the {@link MemorySpace} named by
 * {@code hotline.memory.space} (default {@code default}). For tests and single-process use.
 *
 * <pre>{@code
 * HotlineConfig config = HotlineConfig.of(Map.of("hotline.store", "memory", "hotline.zone", "az-1"));
 * try (EndpointStore store = StoreProviders.load().open(config)) { ... }
 * }</pre>
 *
 * <p>{@code hotline.memory.poll-interval} (default 100 ms) bounds how late a watch sees a health change;
 * registrations and removals are seen at once.
 */
public final class MemoryStoreProvider implements EndpointStoreProvider {

    public static final String SPACE = "hotline.memory.space";
    public static final String POLL_INTERVAL = "hotline.memory.poll-interval";

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public EndpointStore open(HotlineConfig config) {
        Duration poll = config.duration(POLL_INTERVAL, Duration.ofMillis(100));
        if (poll.isZero()) {
            throw config.invalid(POLL_INTERVAL, "must be positive");
        }
        String space = config.string(SPACE, "default");
        if (space.isEmpty()) {
            throw config.invalid(SPACE, "is empty; name the space, or leave the key unset for 'default'");
        }
        return new MemoryStore(MemorySpace.named(space), config.zone(), poll);
    }
}

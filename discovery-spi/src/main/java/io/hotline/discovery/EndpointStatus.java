package io.hotline.discovery;

import io.hotline.discovery.spi.EndpointStore;
import java.util.Objects;

/**
 * An endpoint together with its current health, as {@link EndpointStore#list} returns it.
 *
 * @param endpoint the registered endpoint
 * @param health its health now
 */
public record EndpointStatus(Endpoint endpoint, Health health) {

    public EndpointStatus {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(health, "health");
    }

    public boolean isPassing() {
        return health == Health.PASSING;
    }
}

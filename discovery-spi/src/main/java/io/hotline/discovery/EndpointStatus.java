package io.hotline.discovery;

import io.hotline.discovery.spi.EndpointStore;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An endpoint together with its current health, as {@link EndpointStore#list} returns it, and since when that health
 * holds if the store can tell.
 *
 * <pre>{@code
 * EndpointStatus s = store.list("nova.compute", store.homeZone()).get(0);
 * s.since().ifPresent(t -> log.info("{} is {} since {}", s.endpoint().server(), s.health(), t));
 * }</pre>
 *
 * @param endpoint the registered endpoint
 * @param health its health now
 * @param since when the endpoint last changed to this health, by the store's clock: for a passing endpoint, when it
 *     was registered or when a renewal brought it back from critical; for a critical one, when its last renewal's
 *     down-after ran out. Empty when the store cannot tell (e.g. Consul, whose checks carry no times). It is a fact
 *     the store keeps, not the time of the read: listing again gives the same instant until the health changes.
 */
public record EndpointStatus(Endpoint endpoint, Health health, Optional<Instant> since) {

    public EndpointStatus {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(since, "since");
    }

    /** A status whose store cannot tell since when the health holds. */
    public EndpointStatus(Endpoint endpoint, Health health) {
        this(endpoint, health, Optional.empty());
    }

    /** A status whose health holds since {@code since}. */
    public EndpointStatus(Endpoint endpoint, Health health, Instant since) {
        this(endpoint, health, Optional.of(since));
    }

    public boolean isPassing() {
        return health == Health.PASSING;
    }
}

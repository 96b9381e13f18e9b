package io.hotline.tck;

import io.hotline.discovery.HealthPolicy;
import java.time.Duration;
import java.util.Objects;

/**
 * The timing bounds a store declares, so the kit waits as long as the store needs and no longer: fast stores
 * get fast tests, slow ones (Consul removes critical services a minute or more after the fact) still pass
 * honestly.
 *
 * <pre>{@code
 * new StoreTiming(HealthPolicy.of(ofSeconds(1), ofSeconds(3), ofMinutes(1)),   // the shortest policy it honours
 *         Duration.ofSeconds(2),                                               // change visible to watchers
 *         Duration.ofSeconds(35));                                             // Consul's 30 s reaper sweep
 * }</pre>
 *
 * @param policy the health policy the kit registers with; the shortest the store honours
 * @param propagation how long after a change (register, deregister, a heartbeat missed past down-after) a
 *     {@code list} and a watcher must show it
 * @param deregistrationDelay how long after {@code policy.deregisterAfter()} the store may take to remove a
 *     critical endpoint
 */
public record StoreTiming(HealthPolicy policy, Duration propagation, Duration deregistrationDelay) {

    public StoreTiming {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(propagation, "propagation");
        Objects.requireNonNull(deregistrationDelay, "deregistrationDelay");
    }
}

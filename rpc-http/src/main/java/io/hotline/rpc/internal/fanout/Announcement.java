package io.hotline.rpc.internal.fanout;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Heartbeater;
import io.hotline.discovery.spi.EndpointStore;
import java.time.Duration;

/**
 * A listening process's registration, kept alive by heartbeats and withdrawn with a drain delay: what the RPC server
 * and the broadcaster both do with their endpoint.
 *
 * <pre>{@code
 * Announcement announced = Announcement.start(store, endpoint, HealthPolicy.DEFAULT);
 * ...
 * announced.withdraw(Duration.ofSeconds(2));    // then stop the listener
 * }</pre>
 */
public final class Announcement {

    private final Heartbeater heartbeater;
    private final Heartbeater.Registration registration;

    private Announcement(Heartbeater heartbeater, Heartbeater.Registration registration) {
        this.heartbeater = heartbeater;
        this.registration = registration;
    }

    /** Registers {@code endpoint} and renews it at the policy's report interval until withdrawn. */
    public static Announcement start(EndpointStore store, Endpoint endpoint, HealthPolicy policy) {
        Heartbeater heartbeater = Heartbeater.start(store);
        try {
            return new Announcement(heartbeater, heartbeater.register(endpoint, policy));
        } catch (RuntimeException e) {
            heartbeater.close();
            throw e;
        }
    }

    public Endpoint endpoint() {
        return registration.endpoint();
    }

    /**
     * Deregisters, stops the heartbeats, and waits {@code drainDelay}: clients learn of the deregistration through
     * their store watches, and until then they may still send here, so the caller keeps serving meanwhile.
     */
    public void withdraw(Duration drainDelay) {
        registration.close();
        heartbeater.close();
        try {
            Thread.sleep(drainDelay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

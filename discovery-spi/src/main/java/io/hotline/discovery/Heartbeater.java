package io.hotline.discovery;

import io.hotline.discovery.spi.EndpointStore;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps registrations alive: registers each one, renews it every report interval (with +-10% jitter so that
 * thousands of servers restarted together do not renew in lockstep), and registers it again when the store has
 * forgotten it (expired, or the store restarted and lost its data) or was unreachable.
 *
 * <pre>{@code
 * try (Heartbeater hb = Heartbeater.start(store)) {
 *     Heartbeater.Registration reg = hb.register(endpoint, HealthPolicy.DEFAULT);
 *     ...
 *     reg.close();                    // stops renewing and deregisters
 * }
 * }</pre>
 */
public final class Heartbeater implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Heartbeater.class);

    private final EndpointStore store;
    private final ScheduledExecutorService scheduler;
    private final Set<Registration> registrations = ConcurrentHashMap.newKeySet();

    private Heartbeater(EndpointStore store) {
        this.store = store;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hotline-heartbeat");
            t.setDaemon(true);
            return t;
        });
    }

    /** A heartbeater over {@code store}, which stays the caller's to close. */
    public static Heartbeater start(EndpointStore store) {
        return new Heartbeater(Objects.requireNonNull(store, "store"));
    }

    /**
     * Registers {@code endpoint} now and keeps it registered until the returned registration is closed. If the store
     * is unreachable now, the registration is retried at the report interval rather than failing.
     *
     * @throws IllegalArgumentException if the store rejects the endpoint (e.g. its zone is outside the store's)
     */
    public Registration register(Endpoint endpoint, HealthPolicy policy) {
        Registration r = new Registration(endpoint, policy);
        registrations.add(r);
        try {
            r.beat();
        } catch (IllegalArgumentException e) {
            registrations.remove(r);
            throw e;
        }
        return r;
    }

    /** Stops renewing and deregisters every registration still open. */
    @Override
    public void close() {
        registrations.forEach(Registration::close);
        scheduler.shutdownNow();
    }

    /** One endpoint kept alive by a {@link Heartbeater}. */
    public final class Registration implements AutoCloseable {
        private final Endpoint endpoint;
        private final HealthPolicy policy;
        private boolean registered;
        private boolean failing;
        private boolean closed;
        private ScheduledFuture<?> next;

        private Registration(Endpoint endpoint, HealthPolicy policy) {
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
            this.policy = Objects.requireNonNull(policy, "policy");
        }

        public Endpoint endpoint() {
            return endpoint;
        }

        /** True while the last register or renew reached the store. */
        public synchronized boolean isHealthy() {
            return registered && !failing;
        }

        private synchronized void beat() {
            if (closed) {
                return;
            }
            try {
                if (registered) {
                    try {
                        store.renew(endpoint.service(), endpoint.id());
                    } catch (NotRegisteredException e) {
                        log.info("store forgot {} of {}; registering it again", endpoint.id(), endpoint.service());
                        store.register(endpoint, policy);
                    }
                } else {
                    store.register(endpoint, policy);
                    registered = true;
                }
                if (failing) {
                    log.info("heartbeats for {} of {} reach the store again", endpoint.id(), endpoint.service());
                    failing = false;
                }
            } catch (StoreException e) {
                if (!failing) {
                    log.warn("heartbeat for {} of {} failed; retrying every {}: {}", endpoint.id(), endpoint.service(),
                            policy.reportInterval(), e.getMessage());
                    failing = true;
                }
            } catch (IllegalArgumentException e) {
                throw e;
            } catch (RuntimeException e) {
                // A store bug must not end the heartbeats for good: report it loudly and keep trying.
                log.error("heartbeat for {} of {} failed unexpectedly; retrying every {}", endpoint.id(),
                        endpoint.service(), policy.reportInterval(), e);
                failing = true;
            }
            schedule();
        }

        private void schedule() {
            long base = policy.reportInterval().toNanos();
            long jittered = (long) (base * ThreadLocalRandom.current().nextDouble(0.9, 1.1));
            try {
                next = scheduler.schedule(this::beat, jittered, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                log.debug("heartbeater closed; no more renewals for {}", endpoint.id());
            }
        }

        /** Stops renewing and deregisters. Idempotent; a store that is down is logged, not thrown. */
        @Override
        public void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                if (next != null) {
                    next.cancel(false);
                }
            }
            registrations.remove(this);
            try {
                store.deregister(endpoint.service(), endpoint.id());
            } catch (StoreException e) {
                log.warn("could not deregister {} of {}; it expires after {}: {}", endpoint.id(), endpoint.service(),
                        policy.deregisterAfter(), e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "Registration[" + endpoint.service() + "/" + endpoint.id() + "]";
        }
    }
}

package com.example.hotline;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.EndpointStore;
import io.hotline.discovery.Health;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.NotRegisteredException;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.StoreUnavailableException;
import io.hotline.discovery.Watch;
import io.hotline.discovery.WatchListener;
import io.hotline.discovery.Zone;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Variants of the example store that each break one clause of the store contract, the way a plugin author might by
 * mistake. {@link BrokenStoresRejectedTest} proves the TCK notices every one of them.
 */
final class BrokenStores {

    private BrokenStores() {}

    /** Registration: stores the endpoint without its metadata, so a round trip loses fields. */
    static final class DropsMetadata extends ForwardingStore {
        DropsMetadata(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void register(Endpoint e, HealthPolicy policy) {
            inner.register(new Endpoint(e.service(), e.id(), e.server(), e.host(), e.port(), e.scheme(), e.zone(),
                    Map.of()), policy);
        }
    }

    /** Health: reports every endpoint as passing until it is removed, however long it went without a heartbeat. */
    static final class NeverCritical extends ForwardingStore {
        NeverCritical(EndpointStore inner) {
            super(inner);
        }

        @Override
        public List<EndpointStatus> list(String service, Zone zone) {
            return allPassing(inner.list(service, zone));
        }

        @Override
        public Watch watch(String service, Zone zone, WatchListener listener) {
            return inner.watch(service, zone, new WatchListener() {
                @Override
                public void onSnapshot(List<EndpointStatus> endpoints) {
                    listener.onSnapshot(allPassing(endpoints));
                }

                @Override
                public void onError(StoreException error) {
                    listener.onError(error);
                }
            });
        }

        private static List<EndpointStatus> allPassing(List<EndpointStatus> statuses) {
            return statuses.stream().map(s -> new EndpointStatus(s.endpoint(), Health.PASSING)).toList();
        }
    }

    /** Health: turns endpoints critical after a quarter of their down-after, while heartbeats still arrive. */
    static final class EarlyCritical extends ForwardingStore {
        EarlyCritical(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void register(Endpoint endpoint, HealthPolicy policy) {
            inner.register(endpoint,
                    HealthPolicy.of(policy.reportInterval(), policy.downAfter().dividedBy(4), policy.deregisterAfter()));
        }
    }

    /** Health: ignores the policy's deregister-after, so a critical endpoint stays listed for good. */
    static final class NeverExpires extends ForwardingStore {
        private static final Duration FOREVER = Duration.ofDays(365);

        NeverExpires(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void register(Endpoint endpoint, HealthPolicy policy) {
            inner.register(endpoint, HealthPolicy.of(policy.reportInterval(), policy.downAfter(), FOREVER));
        }
    }

    /** Watch: delivers the first snapshot and then nothing, as a watch that never re-subscribes would. */
    static final class SilentWatch extends ForwardingStore {
        SilentWatch(EndpointStore inner) {
            super(inner);
        }

        @Override
        public Watch watch(String service, Zone zone, WatchListener listener) {
            AtomicBoolean delivered = new AtomicBoolean();
            return inner.watch(service, zone, new WatchListener() {
                @Override
                public void onSnapshot(List<EndpointStatus> endpoints) {
                    if (delivered.compareAndSet(false, true)) {
                        listener.onSnapshot(endpoints);
                    }
                }

                @Override
                public void onError(StoreException error) {
                    listener.onError(error);
                }
            });
        }
    }

    /**
     * Watch: after each new snapshot delivers the previous one again, then the new one: the latest state is always
     * right, but watchers go back to an older state in between, as with an unordered change feed.
     */
    static final class ReplaysStaleSnapshot extends ForwardingStore {
        ReplaysStaleSnapshot(EndpointStore inner) {
            super(inner);
        }

        @Override
        public Watch watch(String service, Zone zone, WatchListener listener) {
            return inner.watch(service, zone, new WatchListener() {
                // Callbacks of one watch come from one thread at a time, so this needs no further guard.
                private List<EndpointStatus> previous;

                @Override
                public void onSnapshot(List<EndpointStatus> endpoints) {
                    listener.onSnapshot(endpoints);
                    if (previous != null) {
                        listener.onSnapshot(previous);
                        listener.onSnapshot(endpoints);
                    }
                    previous = endpoints;
                }

                @Override
                public void onError(StoreException error) {
                    listener.onError(error);
                }
            });
        }
    }

    /** Failure: a watch whose server went away goes quiet instead of reporting it, so nobody knows the list is old. */
    static final class HidesOutage extends ForwardingStore {
        HidesOutage(EndpointStore inner) {
            super(inner);
        }

        @Override
        public Watch watch(String service, Zone zone, WatchListener listener) {
            return inner.watch(service, zone, new WatchListener() {
                @Override
                public void onSnapshot(List<EndpointStatus> endpoints) {
                    listener.onSnapshot(endpoints);
                }

                @Override
                public void onError(StoreException error) {
                    // Swallowed: the broken part.
                }
            });
        }
    }

    /** Zones: knows only its home zone, so federated zones can never be reached. */
    static final class NoFederation extends ForwardingStore {
        NoFederation(EndpointStore inner) {
            super(inner);
        }

        @Override
        public Set<Zone> zones() {
            return Set.of(inner.homeZone());
        }
    }

    /** Zones: lists every zone whatever zone is asked for, as a plugin over a flat backend might. */
    static final class IgnoresZone extends ForwardingStore {
        IgnoresZone(EndpointStore inner) {
            super(inner);
        }

        @Override
        public List<EndpointStatus> list(String service, Zone zone) {
            List<EndpointStatus> all = new ArrayList<>();
            for (Zone z : inner.zones()) {
                all.addAll(inner.list(service, z));
            }
            return all;
        }
    }

    /** Failure: lets the server's outage escape as a plain RuntimeException instead of StoreUnavailableException. */
    static final class RawErrors extends ForwardingStore {
        RawErrors(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void register(Endpoint endpoint, HealthPolicy policy) {
            raw(() -> {
                inner.register(endpoint, policy);
                return null;
            });
        }

        @Override
        public void renew(String service, String id) {
            raw(() -> {
                inner.renew(service, id);
                return null;
            });
        }

        @Override
        public void deregister(String service, String id) {
            raw(() -> {
                inner.deregister(service, id);
                return null;
            });
        }

        @Override
        public List<EndpointStatus> list(String service, Zone zone) {
            return raw(() -> inner.list(service, zone));
        }

        private static <T> T raw(Supplier<T> call) {
            try {
                return call.get();
            } catch (StoreUnavailableException e) {
                throw new RuntimeException("server unreachable: " + e.getMessage());
            }
        }
    }

    /** Health: a renewal of a registration the store does not hold succeeds silently, so it is never re-registered. */
    static final class LenientRenew extends ForwardingStore {
        LenientRenew(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void renew(String service, String id) {
            try {
                inner.renew(service, id);
            } catch (NotRegisteredException e) {
                // Swallowed: the broken behaviour under test.
            }
        }
    }

    /**
     * Concurrency: keeps each service as one document that {@code register} reads, changes and writes back without
     * a compare-and-set, as a plugin over a plain key-value backend might. Two writers that overlap both read the
     * same document; the second write drops the first one's endpoint.
     */
    static final class LosesConcurrentWrites extends ForwardingStore {
        /** The time between reading the document and writing it back, as a network round trip would take. */
        private static final Duration ROUND_TRIP = Duration.ofMillis(1);

        LosesConcurrentWrites(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void register(Endpoint endpoint, HealthPolicy policy) {
            Set<String> document = ids(endpoint.service());
            roundTrip();
            document.add(endpoint.id());
            // Writing the document back: whatever the server holds that this writer's copy lacks is overwritten.
            for (String id : ids(endpoint.service())) {
                if (!document.contains(id)) {
                    inner.deregister(endpoint.service(), id);
                }
            }
            inner.register(endpoint, policy);
        }

        private Set<String> ids(String service) {
            return inner.list(service, inner.homeZone()).stream()
                    .map(s -> s.endpoint().id())
                    .collect(Collectors.toCollection(HashSet::new));
        }

        private static void roundTrip() {
            try {
                Thread.sleep(ROUND_TRIP.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

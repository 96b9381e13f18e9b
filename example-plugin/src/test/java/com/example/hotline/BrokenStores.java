package com.example.hotline;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.NotRegisteredException;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.StoreUnavailableException;
import io.hotline.discovery.Zone;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.ForwardingEndpointStore;
import io.hotline.discovery.spi.Watch;
import io.hotline.discovery.spi.WatchListener;
import java.time.Duration;
import java.util.ArrayList;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Variants of the example store that each break one clause of the store contract, the way a plugin author might by
 * mistake. {@link BrokenStoresRejectedTest} proves the TCK notices every one of them.
 */
final class BrokenStores {

    private BrokenStores() {}

    /** Registration: stores the endpoint without its metadata, so a round trip loses fields. */
    static final class DropsMetadata extends ForwardingEndpointStore {
        DropsMetadata(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void register(Endpoint e, HealthPolicy policy) {
            delegate.register(new Endpoint(e.service(), e.id(), e.server(), e.host(), e.port(), e.scheme(), e.zone(),
                    Map.of(), e.priority(), e.weight()), policy);
        }
    }

    /** Registration: stores neither priority nor weight, so every endpoint comes back with the defaults. */
    static final class DropsPriorityAndWeight extends ForwardingEndpointStore {
        DropsPriorityAndWeight(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void register(Endpoint e, HealthPolicy policy) {
            delegate.register(e.toBuilder().priority(Endpoint.DEFAULT_PRIORITY).weight(Endpoint.DEFAULT_WEIGHT).build(),
                    policy);
        }
    }

    /** Registration: keeps the weight in Consul's Weights.Passing range, so a weight of 0 comes back as 1. */
    static final class ClampsZeroWeight extends ForwardingEndpointStore {
        ClampsZeroWeight(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void register(Endpoint e, HealthPolicy policy) {
            delegate.register(e.toBuilder().weight(Math.max(1, e.weight())).build(), policy);
        }
    }

    /** Health: reports every endpoint as passing until it is removed, however long it went without a heartbeat. */
    static final class NeverCritical extends ForwardingEndpointStore {
        NeverCritical(EndpointStore inner) {
            super(inner);
        }

        @Override
        public List<EndpointStatus> list(String service, Zone zone) {
            return allPassing(delegate.list(service, zone));
        }

        @Override
        public Watch watch(String service, Zone zone, WatchListener listener) {
            return delegate.watch(service, zone, new WatchListener() {
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

    /** Health: turns endpoints critical after three quarters of their down-after, while heartbeats still arrive. */
    static final class EarlyCritical extends ForwardingEndpointStore {
        EarlyCritical(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void register(Endpoint endpoint, HealthPolicy policy) {
            delegate.register(endpoint,
                    HealthPolicy.of(policy.reportInterval(), policy.downAfter().multipliedBy(3).dividedBy(4),
                        policy.deregisterAfter()));
        }
    }

    /** Health: ignores the policy's deregister-after, so a critical endpoint stays listed for good. */
    static final class NeverExpires extends ForwardingEndpointStore {
        private static final Duration FOREVER = Duration.ofDays(365);

        NeverExpires(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void register(Endpoint endpoint, HealthPolicy policy) {
            delegate.register(endpoint, HealthPolicy.of(policy.reportInterval(), policy.downAfter(), FOREVER));
        }
    }

    /** Watch: delivers the first snapshot and then nothing, as a watch that never re-subscribes would. */
    static final class SilentWatch extends ForwardingEndpointStore {
        SilentWatch(EndpointStore inner) {
            super(inner);
        }

        @Override
        public Watch watch(String service, Zone zone, WatchListener listener) {
            AtomicBoolean delivered = new AtomicBoolean();
            return delegate.watch(service, zone, new WatchListener() {
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
    static final class ReplaysStaleSnapshot extends ForwardingEndpointStore {
        ReplaysStaleSnapshot(EndpointStore inner) {
            super(inner);
        }

        @Override
        public Watch watch(String service, Zone zone, WatchListener listener) {
            return delegate.watch(service, zone, new WatchListener() {
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
    static final class HidesOutage extends ForwardingEndpointStore {
        HidesOutage(EndpointStore inner) {
            super(inner);
        }

        @Override
        public Watch watch(String service, Zone zone, WatchListener listener) {
            return delegate.watch(service, zone, new WatchListener() {
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
    static final class NoFederation extends ForwardingEndpointStore {
        NoFederation(EndpointStore inner) {
            super(inner);
        }

        @Override
        public Set<Zone> zones() {
            return Set.of(delegate.homeZone());
        }
    }

    /** Zones: lists every zone whatever zone is asked for, as a plugin over a flat backend might. */
    static final class IgnoresZone extends ForwardingEndpointStore {
        IgnoresZone(EndpointStore inner) {
            super(inner);
        }

        @Override
        public List<EndpointStatus> list(String service, Zone zone) {
            List<EndpointStatus> all = new ArrayList<>();
            for (Zone z : delegate.zones()) {
                all.addAll(delegate.list(service, z));
            }
            return all;
        }
    }

    /** Failure: lets the server's outage escape as a plain RuntimeException instead of StoreUnavailableException. */
    static final class RawErrors extends ForwardingEndpointStore {
        RawErrors(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void register(Endpoint endpoint, HealthPolicy policy) {
            raw(() -> {
                delegate.register(endpoint, policy);
                return null;
            });
        }

        @Override
        public void renew(String service, String id) {
            raw(() -> {
                delegate.renew(service, id);
                return null;
            });
        }

        @Override
        public void deregister(String service, String id) {
            raw(() -> {
                delegate.deregister(service, id);
                return null;
            });
        }

        @Override
        public List<EndpointStatus> list(String service, Zone zone) {
            return raw(() -> delegate.list(service, zone));
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
    static final class LenientRenew extends ForwardingEndpointStore {
        LenientRenew(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void renew(String service, String id) {
            try {
                delegate.renew(service, id);
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
    static final class LosesConcurrentWrites extends ForwardingEndpointStore {
        /** The time between reading the document and writing it back, as a network round trip would take. */
        private static final Duration ROUND_TRIP = Duration.ofMillis(1);

        LosesConcurrentWrites(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void register(Endpoint endpoint, HealthPolicy policy) {
            Set<String> document = ids(endpoint.service());
            pause(ROUND_TRIP);
            document.add(endpoint.id());
            // Writing the document back: whatever the server holds that this writer's copy lacks is overwritten.
            for (String id : ids(endpoint.service())) {
                if (!document.contains(id)) {
                    delegate.deregister(endpoint.service(), id);
                }
            }
            delegate.register(endpoint, policy);
        }

        private Set<String> ids(String service) {
            return delegate.list(service, delegate.homeZone()).stream()
                    .map(s -> s.endpoint().id())
                    .collect(Collectors.toCollection(HashSet::new));
        }
    }

    /** Registration: keeps what fits Consul's Meta limits, at most 64 entries with values cut to 512 characters. */
    static final class TrimsMetadataToFit extends ForwardingEndpointStore {
        TrimsMetadataToFit(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void register(Endpoint e, HealthPolicy policy) {
            Map<String, String> kept = new LinkedHashMap<>();
            e.metadata().entrySet().stream().limit(64).forEach(m -> kept.put(m.getKey(),
                    m.getValue().length() > 512 ? m.getValue().substring(0, 512) : m.getValue()));
            delegate.register(withMetadata(e, kept), policy);
        }
    }

    /** Registration: a re-registration merges the old metadata into the new instead of replacing it. */
    static final class MergesOnReRegister extends ForwardingEndpointStore {
        MergesOnReRegister(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void register(Endpoint e, HealthPolicy policy) {
            Map<String, String> merged = new LinkedHashMap<>();
            find(delegate, e.service(), e.id()).ifPresent(old -> merged.putAll(old.endpoint().metadata()));
            merged.putAll(e.metadata());
            delegate.register(withMetadata(e, merged), policy);
        }
    }

    /** Registration: a re-registration keeps the policy of the first registration. */
    static final class KeepsFirstPolicy extends ForwardingEndpointStore {
        private final Map<String, HealthPolicy> first = new ConcurrentHashMap<>();

        KeepsFirstPolicy(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void register(Endpoint e, HealthPolicy policy) {
            delegate.register(e, first.computeIfAbsent(e.service() + "/" + e.id(), k -> policy));
        }
    }

    /** Registration: re-registering a critical endpoint leaves it critical until its next renewal. */
    static final class ReRegisterKeepsCritical extends ForwardingEndpointStore {
        private final Set<String> stillCritical = ConcurrentHashMap.newKeySet();

        ReRegisterKeepsCritical(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void register(Endpoint e, HealthPolicy policy) {
            boolean critical = find(delegate, e.service(), e.id()).map(s -> s.health() == Health.CRITICAL).orElse(false);
            delegate.register(e, policy);
            if (critical) {
                stillCritical.add(e.service() + "/" + e.id());
            }
        }

        @Override
        public void renew(String service, String id) {
            delegate.renew(service, id);
            stillCritical.remove(service + "/" + id);
        }

        @Override
        public List<EndpointStatus> list(String service, Zone zone) {
            return delegate.list(service, zone).stream()
                    .map(s -> stillCritical.contains(service + "/" + s.endpoint().id())
                            ? new EndpointStatus(s.endpoint(), Health.CRITICAL) : s)
                    .toList();
        }
    }

    /**
     * Registration: looks services up by a case-insensitive prefix, as a plugin over a key-value backend scanning
     * {@code prefix*} might, so look-alike services mix.
     */
    static final class PrefixMatchesServices extends ForwardingEndpointStore {
        private final Set<String> services = ConcurrentHashMap.newKeySet();

        PrefixMatchesServices(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void register(Endpoint e, HealthPolicy policy) {
            services.add(e.service());
            delegate.register(e, policy);
        }

        @Override
        public List<EndpointStatus> list(String service, Zone zone) {
            List<EndpointStatus> all = new ArrayList<>();
            for (String s : services) {
                if (s.toLowerCase(Locale.ROOT).startsWith(service.toLowerCase(Locale.ROOT))) {
                    all.addAll(delegate.list(s, zone));
                }
            }
            return all.isEmpty() ? delegate.list(service, zone) : all;
        }
    }

    /** Registration: a deregistration removes the id from every service, as a store keyed by id alone would. */
    static final class DeregistersIdEverywhere extends ForwardingEndpointStore {
        private final Set<String> services = ConcurrentHashMap.newKeySet();

        DeregistersIdEverywhere(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void register(Endpoint e, HealthPolicy policy) {
            services.add(e.service());
            delegate.register(e, policy);
        }

        @Override
        public void deregister(String service, String id) {
            for (String s : services) {
                delegate.deregister(s, id);
            }
            delegate.deregister(service, id);
        }
    }

    /** Registration: stores endpoints of zones inside the home zone under the home zone itself. */
    static final class FlattensZone extends ForwardingEndpointStore {
        FlattensZone(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void register(Endpoint e, HealthPolicy policy) {
            Zone zone = e.zone().isWithin(delegate.homeZone()) ? delegate.homeZone() : e.zone();
            delegate.register(e.toBuilder().zone(zone).build(), policy);
        }
    }

    /**
     * Registration: checks containment by comparing paths as strings, so a sibling whose name starts with the home
     * zone's ({@code rack-1} and {@code rack-10}) or the home zone's parent get in, filed under the home zone.
     */
    static final class PrefixZoneCheck extends ForwardingEndpointStore {
        PrefixZoneCheck(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void register(Endpoint e, HealthPolicy policy) {
            String home = delegate.homeZone().path();
            boolean looksInside = e.zone().path().startsWith(home) || home.startsWith(e.zone().path());
            delegate.register(looksInside ? e.toBuilder().zone(delegate.homeZone()).build() : e, policy);
        }
    }

    /** Health: turns endpoints critical only at two and a half times their down-after. */
    static final class LateCritical extends ForwardingEndpointStore {
        LateCritical(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void register(Endpoint endpoint, HealthPolicy policy) {
            Duration late = policy.downAfter().multipliedBy(5).dividedBy(2);
            Duration deregisterAfter = policy.deregisterAfter().compareTo(late) < 0 ? late : policy.deregisterAfter();
            delegate.register(endpoint, HealthPolicy.of(policy.reportInterval(), late, deregisterAfter));
        }
    }

    /** Health: a renewal of a registration the store holds does nothing, so down-after counts from registration. */
    static final class IgnoresRenewal extends ForwardingEndpointStore {
        IgnoresRenewal(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void renew(String service, String id) {
            if (find(delegate, service, id).isEmpty()) {
                delegate.renew(service, id);
            }
        }
    }

    /** Health: removes critical endpoints as soon as they turn critical, ignoring deregister-after. */
    static final class ExpiresAtDownAfter extends ForwardingEndpointStore {
        ExpiresAtDownAfter(EndpointStore inner) {
            super(inner);
        }

        @Override
        public List<EndpointStatus> list(String service, Zone zone) {
            return delegate.list(service, zone).stream().filter(s -> s.health() == Health.PASSING).toList();
        }
    }

    /** Health: once it has reported an endpoint critical, keeps reporting it critical until it is re-registered. */
    static final class StaysCritical extends ForwardingEndpointStore {
        private final Set<String> critical = ConcurrentHashMap.newKeySet();

        StaysCritical(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void register(Endpoint e, HealthPolicy policy) {
            delegate.register(e, policy);
            critical.remove(e.service() + "/" + e.id());
        }

        @Override
        public List<EndpointStatus> list(String service, Zone zone) {
            return delegate.list(service, zone).stream().map(s -> {
                String key = service + "/" + s.endpoint().id();
                if (s.health() == Health.CRITICAL) {
                    critical.add(key);
                }
                return critical.contains(key) ? new EndpointStatus(s.endpoint(), Health.CRITICAL) : s;
            }).toList();
        }
    }

    /** Health: tells the time of the read as since when each health holds, as a page that only watches would. */
    static final class SinceIsTheRead extends ForwardingEndpointStore {
        SinceIsTheRead(EndpointStore inner) {
            super(inner);
        }

        @Override
        public List<EndpointStatus> list(String service, Zone zone) {
            return delegate.list(service, zone).stream()
                    .map(s -> new EndpointStatus(s.endpoint(), s.health(), Instant.now())).toList();
        }
    }

    /** Health: tells the registration as since when every health holds, critical or revived alike. */
    static final class SinceIsTheRegistration extends ForwardingEndpointStore {
        private final Map<String, Instant> registered = new ConcurrentHashMap<>();

        SinceIsTheRegistration(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void register(Endpoint e, HealthPolicy policy) {
            registered.put(e.service() + "/" + e.id(), Instant.now());
            delegate.register(e, policy);
        }

        @Override
        public List<EndpointStatus> list(String service, Zone zone) {
            return delegate.list(service, zone).stream().map(s -> {
                Instant at = registered.get(service + "/" + s.endpoint().id());
                return at == null ? s : new EndpointStatus(s.endpoint(), s.health(), at);
            }).toList();
        }
    }

    /** Watch: the first snapshot is always empty, whatever the store holds. */
    static final class EmptyFirstSnapshot extends ForwardingEndpointStore {
        EmptyFirstSnapshot(EndpointStore inner) {
            super(inner);
        }

        @Override
        public Watch watch(String service, Zone zone, WatchListener listener) {
            AtomicBoolean first = new AtomicBoolean(true);
            return delegate.watch(service, zone, relay(listener,
                    snapshot -> listener.onSnapshot(first.getAndSet(false) ? List.of() : snapshot)));
        }
    }

    /** Watch: delivers every snapshot, in order, 800 ms late, as a watch behind a slow queue would. */
    static final class LateWatch extends ForwardingEndpointStore {
        private static final Duration DELAY = Duration.ofMillis(800);
        private final ScheduledExecutorService delayer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "late-watch");
            t.setDaemon(true);
            return t;
        });

        LateWatch(EndpointStore inner) {
            super(inner);
        }

        @Override
        public Watch watch(String service, Zone zone, WatchListener listener) {
            return delegate.watch(service, zone, relay(listener, snapshot ->
                    delayer.schedule(() -> listener.onSnapshot(snapshot), DELAY.toMillis(), TimeUnit.MILLISECONDS)));
        }

        @Override
        public void close() {
            delayer.shutdownNow();
            delegate.close();
        }
    }

    /** Watch: snapshots lose the endpoints' metadata; list keeps it. */
    static final class WatchDropsMetadata extends ForwardingEndpointStore {
        WatchDropsMetadata(EndpointStore inner) {
            super(inner);
        }

        @Override
        public Watch watch(String service, Zone zone, WatchListener listener) {
            return delegate.watch(service, zone, relay(listener, snapshot -> listener.onSnapshot(snapshot.stream()
                    .map(s -> new EndpointStatus(withMetadata(s.endpoint(), Map.of()), s.health()))
                    .toList())));
        }
    }

    /** Watch: a snapshot with a critical endpoint is followed, 50 ms later, by an older one showing it passing. */
    static final class FlapsHealth extends ForwardingEndpointStore {
        private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "flaps-health");
            t.setDaemon(true);
            return t;
        });

        FlapsHealth(EndpointStore inner) {
            super(inner);
        }

        @Override
        public Watch watch(String service, Zone zone, WatchListener listener) {
            return delegate.watch(service, zone, relay(listener, snapshot -> {
                listener.onSnapshot(snapshot);
                if (snapshot.stream().anyMatch(s -> s.health() == Health.CRITICAL)) {
                    later.schedule(() -> listener.onSnapshot(snapshot.stream()
                            .map(s -> new EndpointStatus(s.endpoint(), Health.PASSING)).toList()), 50, TimeUnit.MILLISECONDS);
                }
            }));
        }

        @Override
        public void close() {
            later.shutdownNow();
            delegate.close();
        }
    }

    /** Watch: endpoints that vanish without a deregistration through this store (expired ones) stay in snapshots. */
    static final class WatchKeepsExpired extends ForwardingEndpointStore {
        private final Set<String> deregistered = ConcurrentHashMap.newKeySet();

        WatchKeepsExpired(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void deregister(String service, String id) {
            deregistered.add(service + "/" + id);
            delegate.deregister(service, id);
        }

        @Override
        public Watch watch(String service, Zone zone, WatchListener listener) {
            Map<String, EndpointStatus> seen = new ConcurrentHashMap<>();
            return delegate.watch(service, zone, relay(listener, snapshot -> {
                Map<String, EndpointStatus> now = new LinkedHashMap<>();
                snapshot.forEach(s -> now.put(s.endpoint().id(), s));
                seen.forEach((id, s) -> {
                    if (!now.containsKey(id) && !deregistered.contains(service + "/" + id)) {
                        now.put(id, new EndpointStatus(s.endpoint(), Health.CRITICAL));
                    }
                });
                seen.clear();
                seen.putAll(now);
                listener.onSnapshot(List.copyOf(now.values()));
            }));
        }
    }

    /** Watch: watches the home zone whatever zone is asked for. */
    static final class WatchesHomeOnly extends ForwardingEndpointStore {
        WatchesHomeOnly(EndpointStore inner) {
            super(inner);
        }

        @Override
        public Watch watch(String service, Zone zone, WatchListener listener) {
            return delegate.watch(service, delegate.homeZone(), listener);
        }
    }

    /** Watch: snapshots also carry the endpoints of services whose names start with the watched one's. */
    static final class WatchPrefixMatches extends ForwardingEndpointStore {
        private final Set<String> services = ConcurrentHashMap.newKeySet();

        WatchPrefixMatches(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void register(Endpoint e, HealthPolicy policy) {
            services.add(e.service());
            delegate.register(e, policy);
        }

        @Override
        public Watch watch(String service, Zone zone, WatchListener listener) {
            return delegate.watch(service, zone, relay(listener, snapshot -> {
                List<EndpointStatus> all = new ArrayList<>(snapshot);
                for (String s : services) {
                    if (!s.equals(service) && s.toLowerCase(Locale.ROOT).startsWith(service.toLowerCase(Locale.ROOT))) {
                        all.addAll(delegate.list(s, zone));
                    }
                }
                listener.onSnapshot(all);
            }));
        }
    }

    /** Watch: after reporting an error it opens a new watch by itself and goes on delivering to the same listener. */
    static final class ResumesAfterError extends ForwardingEndpointStore {
        ResumesAfterError(EndpointStore inner) {
            super(inner);
        }

        @Override
        public Watch watch(String service, Zone zone, WatchListener listener) {
            return delegate.watch(service, zone, new WatchListener() {
                @Override
                public void onSnapshot(List<EndpointStatus> endpoints) {
                    listener.onSnapshot(endpoints);
                }

                @Override
                public void onError(StoreException error) {
                    listener.onError(error);
                    resume(service, zone, listener);
                }
            });
        }

        private void resume(String service, Zone zone, WatchListener listener) {
            Thread t = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        delegate.list(service, zone);
                        delegate.watch(service, zone, relay(listener, listener::onSnapshot));
                        return;
                    } catch (StoreUnavailableException e) {
                        pause(Duration.ofMillis(20));
                    }
                }
            }, "resumes-after-error");
            t.setDaemon(true);
            t.start();
        }
    }

    /** Watch: closing a watch does nothing; it goes on delivering. */
    static final class CloseIgnored extends ForwardingEndpointStore {
        CloseIgnored(EndpointStore inner) {
            super(inner);
        }

        @Override
        public Watch watch(String service, Zone zone, WatchListener listener) {
            delegate.watch(service, zone, listener);
            return () -> { };
        }
    }

    /** Zones: reads the federated zones once, when the store opens, and never again. */
    static final class FrozenZones extends ForwardingEndpointStore {
        private final Set<Zone> zones;

        FrozenZones(EndpointStore inner) {
            super(inner);
            this.zones = Set.copyOf(delegate.zones());
        }

        @Override
        public Set<Zone> zones() {
            return zones;
        }
    }

    /** Zones: a zone it does not know lists as empty instead of being refused. */
    static final class UnknownZoneIsEmpty extends ForwardingEndpointStore {
        UnknownZoneIsEmpty(EndpointStore inner) {
            super(inner);
        }

        @Override
        public List<EndpointStatus> list(String service, Zone zone) {
            return delegate.zones().contains(zone) ? delegate.list(service, zone) : List.of();
        }

        @Override
        public Watch watch(String service, Zone zone, WatchListener listener) {
            if (!delegate.zones().contains(zone)) {
                listener.onSnapshot(List.of());
                return () -> { };
            }
            return delegate.watch(service, zone, listener);
        }
    }

    /** Zones: every home-zone list also reads the federated zones (to warm a cache), so their outage breaks it. */
    static final class RemoteOutageBreaksHome extends ForwardingEndpointStore {
        RemoteOutageBreaksHome(EndpointStore inner) {
            super(inner);
        }

        @Override
        public List<EndpointStatus> list(String service, Zone zone) {
            for (Zone z : delegate.zones()) {
                if (!z.equals(zone)) {
                    delegate.list(service, z);
                }
            }
            return delegate.list(service, zone);
        }
    }

    /** Failure: once its server has failed it, it never tries again, as a client that does not reconnect. */
    static final class NeverReconnects extends ForwardingEndpointStore {
        private final AtomicBoolean broken = new AtomicBoolean();

        NeverReconnects(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void register(Endpoint endpoint, HealthPolicy policy) {
            guard(() -> {
                delegate.register(endpoint, policy);
                return null;
            });
        }

        @Override
        public List<EndpointStatus> list(String service, Zone zone) {
            return guard(() -> delegate.list(service, zone));
        }

        private <T> T guard(Supplier<T> call) {
            if (broken.get()) {
                throw new StoreUnavailableException("connection closed earlier; not reconnecting");
            }
            try {
                return call.get();
            } catch (StoreUnavailableException e) {
                broken.set(true);
                throw e;
            }
        }
    }

    /**
     * Concurrency: keeps its own index of registrations in a plain {@link HashMap} written from every caller's thread,
     * and lists from it, as a store caching its records without a lock.
     */
    static final class Unsynchronized extends ForwardingEndpointStore {
        private final Map<String, Endpoint> index = new HashMap<>();

        Unsynchronized(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void register(Endpoint e, HealthPolicy policy) {
            delegate.register(e, policy);
            index.put(e.service() + "/" + e.id(), e);
        }

        @Override
        public List<EndpointStatus> list(String service, Zone zone) {
            Map<String, EndpointStatus> health = new HashMap<>();
            delegate.list(service, zone).forEach(s -> health.put(s.endpoint().id(), s));
            List<EndpointStatus> listed = new ArrayList<>();
            for (Endpoint e : List.copyOf(index.values())) {
                EndpointStatus s = health.get(e.id());
                if (e.service().equals(service) && s != null) {
                    listed.add(new EndpointStatus(e, s.health()));
                }
            }
            return listed;
        }
    }

    /**
     * Size: keeps at most eight services, dropping every endpoint of the service registered longest ago when a ninth
     * arrives, as a store over a bounded cache might.
     */
    static final class EvictsServices extends ForwardingEndpointStore {
        private static final int CAPACITY = 8;
        private final Map<String, Boolean> services = new LinkedHashMap<>();

        EvictsServices(EndpointStore inner) {
            super(inner);
        }

        @Override
        public void register(Endpoint e, HealthPolicy policy) {
            String evicted = null;
            synchronized (services) {
                services.put(e.service(), true);
                if (services.size() > CAPACITY) {
                    evicted = services.keySet().iterator().next();
                    services.remove(evicted);
                }
            }
            if (evicted != null) {
                for (EndpointStatus s : delegate.list(evicted, delegate.homeZone())) {
                    delegate.deregister(evicted, s.endpoint().id());
                }
            }
            delegate.register(e, policy);
        }
    }

    /** Health, seen through the core: watches report every endpoint passing; only {@code list} tells the truth. */
    static final class WatchHidesCritical extends ForwardingEndpointStore {
        WatchHidesCritical(EndpointStore inner) {
            super(inner);
        }

        @Override
        public Watch watch(String service, Zone zone, WatchListener listener) {
            return delegate.watch(service, zone, relay(listener, snapshot -> listener.onSnapshot(snapshot.stream()
                    .map(s -> new EndpointStatus(s.endpoint(), Health.PASSING)).toList())));
        }
    }

    /** Size: reads services in one round of at most 1,000 records and never asks for the next. */
    static final class TruncatesLargeServices extends ForwardingEndpointStore {
        private static final int ROUND = 1_000;

        TruncatesLargeServices(EndpointStore inner) {
            super(inner);
        }

        @Override
        public List<EndpointStatus> list(String service, Zone zone) {
            return delegate.list(service, zone).stream().limit(ROUND).toList();
        }

        @Override
        public Watch watch(String service, Zone zone, WatchListener listener) {
            return delegate.watch(service, zone, relay(listener,
                    snapshot -> listener.onSnapshot(snapshot.stream().limit(ROUND).toList())));
        }
    }

    private static Optional<EndpointStatus> find(EndpointStore store, String service, String id) {
        return store.list(service, store.homeZone()).stream().filter(s -> s.endpoint().id().equals(id)).findFirst();
    }

    private static Endpoint withMetadata(Endpoint e, Map<String, String> metadata) {
        return new Endpoint(e.service(), e.id(), e.server(), e.host(), e.port(), e.scheme(), e.zone(), metadata,
                e.priority(), e.weight());
    }

    /** A listener that hands snapshots to {@code onSnapshot} and errors straight to {@code listener}. */
    private static WatchListener relay(WatchListener listener, Consumer<List<EndpointStatus>> onSnapshot) {
        return new WatchListener() {
            @Override
            public void onSnapshot(List<EndpointStatus> endpoints) {
                onSnapshot.accept(endpoints);
            }

            @Override
            public void onError(StoreException error) {
                listener.onError(error);
            }
        };
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

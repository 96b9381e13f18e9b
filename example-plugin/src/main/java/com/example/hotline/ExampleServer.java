package com.example.hotline;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.NotRegisteredException;
import io.hotline.discovery.StoreUnavailableException;
import io.hotline.discovery.Zone;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The "server" behind the {@code example} store: an in-process registry standing in for the Consul agent or Redis
 * instance a real plugin would talk to. There is one server per zone of a named cluster; all zones of a cluster are
 * federated with each other.
 *
 * <p>{@link #stop()} and {@link #start()} simulate an outage, so that a test (the TCK's fixture) can check how the
 * store behaves while its server is down and after it comes back empty.
 *
 * <pre>{@code
 * ExampleServer rack2 = ExampleServer.named("test-cluster", Zone.of("lab/rack-2"));
 * rack2.stop();     // every call to it fails with StoreUnavailableException
 * rack2.start();    // serving again, with no registrations, as a restarted server that lost its data
 * }</pre>
 */
public final class ExampleServer {

    private static final Map<String, Map<Zone, ExampleServer>> CLUSTERS = new ConcurrentHashMap<>();

    private final String cluster;
    private final Zone zone;
    // One ordered map instead of a map per service: a service's registrations are one range scan, and listings
    // come out sorted by id, so a watcher that re-lists sees a stable order.
    private final NavigableMap<Key, Lease> leases = new TreeMap<>();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();
    private boolean running = true;

    private ExampleServer(String cluster, Zone zone) {
        this.cluster = cluster;
        this.zone = zone;
    }

    /** The server of {@code zone} in {@code cluster}, created (running, empty) on first use. */
    public static ExampleServer named(String cluster, Zone zone) {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(zone, "zone");
        return CLUSTERS.computeIfAbsent(cluster, c -> new ConcurrentHashMap<>())
                .computeIfAbsent(zone, z -> new ExampleServer(cluster, z));
    }

    /**
     * Stops every server of {@code cluster} and forgets them, so that a test run leaves nothing behind in this JVM;
     * stores still open on them fail from now on.
     */
    public static void discard(String cluster) {
        Map<Zone, ExampleServer> servers = CLUSTERS.remove(cluster);
        if (servers != null) {
            servers.values().forEach(ExampleServer::stop);
        }
    }

    /** The zones that have a server in {@code cluster}. */
    static Set<Zone> zones(String cluster) {
        return Set.copyOf(CLUSTERS.getOrDefault(cluster, Map.of()).keySet());
    }

    /** Takes the server down: every operation fails and every watch on it ends with an error. */
    public void stop() {
        lock.writeLock().lock();
        try {
            running = false;
        } finally {
            lock.writeLock().unlock();
        }
        changed();
    }

    /** Brings the server back with no registrations; the heartbeaters of their owners register them again. */
    public void start() {
        lock.writeLock().lock();
        try {
            leases.clear();
            running = true;
        } finally {
            lock.writeLock().unlock();
        }
        changed();
    }

    void put(Endpoint endpoint, HealthPolicy policy) {
        lock.writeLock().lock();
        try {
            requireRunning();
            leases.put(new Key(endpoint.service(), endpoint.id()), Lease.start(endpoint, policy, System.nanoTime()));
        } finally {
            lock.writeLock().unlock();
        }
        changed();
    }

    void renew(String service, String id) {
        lock.writeLock().lock();
        try {
            requireRunning();
            Key key = new Key(service, id);
            Lease lease = leases.get(key);
            long now = System.nanoTime();
            // A lease past its removal deadline that no read has purged yet is gone all the same: renewing it would
            // resurrect an endpoint every watcher has already seen disappear.
            if (lease == null || lease.isExpired(now)) {
                leases.remove(key);
                throw new NotRegisteredException(service, id);
            }
            leases.put(key, Lease.start(lease.endpoint(), lease.policy(), now));
        } finally {
            lock.writeLock().unlock();
        }
        changed();
    }

    void remove(String service, String id) {
        boolean removed;
        lock.writeLock().lock();
        try {
            requireRunning();
            removed = leases.remove(new Key(service, id)) != null;
        } finally {
            lock.writeLock().unlock();
        }
        if (removed) {
            changed();
        }
    }

    /** The service's live registrations, sorted by id, with health as of now. */
    List<EndpointStatus> list(String service) {
        long now = System.nanoTime();
        List<EndpointStatus> live = new ArrayList<>();
        List<Key> expired = new ArrayList<>();
        lock.readLock().lock();
        try {
            requireRunning();
            for (Map.Entry<Key, Lease> e : ofService(service).entrySet()) {
                Lease lease = e.getValue();
                if (lease.isExpired(now)) {
                    expired.add(e.getKey());
                } else {
                    live.add(new EndpointStatus(lease.endpoint(), lease.isPassing(now) ? Health.PASSING : Health.CRITICAL));
                }
            }
        } finally {
            lock.readLock().unlock();
        }
        if (!expired.isEmpty()) {
            purge(expired, now);
        }
        return live;
    }

    /**
     * Expiry is lazy: nothing runs in the background, a read that meets expired leases removes them. They are
     * invisible from the moment they expire, so removing them changes no listing and needs no watcher poke.
     */
    private void purge(List<Key> expired, long now) {
        lock.writeLock().lock();
        try {
            for (Key key : expired) {
                // Re-checked: a register between our read and this write replaced the lease with a live one.
                Lease lease = leases.get(key);
                if (lease != null && lease.isExpired(now)) {
                    leases.remove(key);
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Calls {@code listener} after every write and every stop or start; returns what unsubscribes it. */
    Runnable onChange(Runnable listener) {
        changeListeners.add(listener);
        return () -> changeListeners.remove(listener);
    }

    // Listeners run outside the lock: they only poke watches, which re-list on their own thread.
    private void changed() {
        changeListeners.forEach(Runnable::run);
    }

    private NavigableMap<Key, Lease> ofService(String service) {
        // Every key of the service sorts at or after (service, "") and before (service + "\0", "").
        return leases.subMap(new Key(service, ""), true, new Key(service + "\0", ""), false);
    }

    private void requireRunning() {
        if (!running) {
            throw new StoreUnavailableException("example server for zone " + zone + " of cluster '" + cluster
                    + "' is stopped; ExampleServer.start() brings it back");
        }
    }

    private record Key(String service, String id) implements Comparable<Key> {
        private static final Comparator<Key> ORDER = Comparator.comparing(Key::service).thenComparing(Key::id);

        @Override
        public int compareTo(Key other) {
            return ORDER.compare(this, other);
        }
    }

    /**
     * A registration and its two deadlines in {@link System#nanoTime} (the server never leaves the JVM, so a
     * monotonic clock is right): passing until {@code passingUntil}, removed at {@code removeAt}.
     */
    private record Lease(Endpoint endpoint, HealthPolicy policy, long passingUntil, long removeAt) {

        static Lease start(Endpoint endpoint, HealthPolicy policy, long now) {
            return new Lease(endpoint, policy, now + policy.downAfter().toNanos(),
                    now + policy.deregisterAfter().toNanos());
        }

        // Differences, not comparisons, because nanoTime may wrap.
        boolean isPassing(long now) {
            return now - passingUntil < 0;
        }

        boolean isExpired(long now) {
            return now - removeAt >= 0;
        }
    }
}

package io.hotline.discovery.memory;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.NotRegisteredException;
import io.hotline.discovery.StoreUnavailableException;
import io.hotline.discovery.Zone;
import io.hotline.discovery.spi.RelistingWatch;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * A named, JVM-wide space that {@code memory} stores share: one in-memory "server" per zone, all federated with
 * each other. Stores opened with the same {@code hotline.memory.space} see each other's registrations.
 *
 * <p>{@link #stop} and {@link #start} simulate an outage of one zone's server, for tests of failure handling:
 * while stopped, every operation on that zone throws {@link StoreUnavailableException}; a restarted server has
 * forgotten every registration, as a restarted {@code consul -dev} agent has.
 *
 * <pre>{@code
 * MemorySpace space = MemorySpace.named("test-1");
 * space.stop(Zone.of("az-2"));        // remote zone down
 * space.start(Zone.of("az-2"));       // back, empty
 * }</pre>
 */
public final class MemorySpace {

    private static final Map<String, MemorySpace> SPACES = new ConcurrentHashMap<>();

    private final String name;
    private final Map<Zone, Server> servers = new ConcurrentHashMap<>();

    private MemorySpace(String name) {
        this.name = name;
    }

    /** The space called {@code name}, created on first use. */
    public static MemorySpace named(String name) {
        Objects.requireNonNull(name, "name");
        return SPACES.computeIfAbsent(name, MemorySpace::new);
    }

    public String name() {
        return name;
    }

    /** The zones that have a server in this space. */
    public Set<Zone> zones() {
        return Set.copyOf(servers.keySet());
    }

    /** Takes the zone's server down: its operations fail and its watches end with an error. */
    public void stop(Zone zone) {
        server(zone).setUp(false);
    }

    /** Brings the zone's server back, with no registrations. */
    public void start(Zone zone) {
        Server s = server(zone);
        s.clear();
        s.setUp(true);
    }

    Server server(Zone zone) {
        return servers.computeIfAbsent(zone, z -> new Server(name, z));
    }

    /** The wall-clock time of a nanoTime reading, from one fixed pair so that a time read twice is the same instant. */
    private static final Instant EPOCH = Instant.now();
    private static final long EPOCH_NANOS = System.nanoTime();

    private static Instant instant(long nanos) {
        return EPOCH.plusNanos(nanos - EPOCH_NANOS);
    }

    /** @param passingSinceNanos when it was registered, or when a renewal brought it back from critical */
    private record Registration(Endpoint endpoint, HealthPolicy policy, long renewedAtNanos, long passingSinceNanos) {
        boolean expiredAt(long nowNanos) {
            return nowNanos - renewedAtNanos > policy.deregisterAfter().toNanos();
        }

        boolean passingAt(long nowNanos) {
            return nowNanos - renewedAtNanos <= policy.downAfter().toNanos();
        }

        Registration renewedAt(long nowNanos) {
            return new Registration(endpoint, policy, nowNanos, passingAt(nowNanos) ? passingSinceNanos : nowNanos);
        }

        EndpointStatus statusAt(long nowNanos) {
            return passingAt(nowNanos)
                    ? new EndpointStatus(endpoint, Health.PASSING, instant(passingSinceNanos))
                    : new EndpointStatus(endpoint, Health.CRITICAL,
                            instant(renewedAtNanos + policy.downAfter().toNanos()));
        }
    }

    /**
     * One zone's registrations. Times are System.nanoTime, as the space never leaves the JVM. Reads and writes hold
     * the server's lock, so that a listing is one moment of the zone, as a real server's read is: iterating the maps
     * while another thread writes could show an endpoint removed after one it lacks.
     */
    static final class Server {
        private final String space;
        private final Zone zone;
        private final Map<String, Map<String, Registration>> services = new ConcurrentHashMap<>();
        private final Set<RelistingWatch> watches = new CopyOnWriteArraySet<>();
        private volatile boolean up = true;

        Server(String space, Zone zone) {
            this.space = space;
            this.zone = zone;
        }

        synchronized void register(Endpoint endpoint, HealthPolicy policy) {
            requireUp();
            services.computeIfAbsent(endpoint.service(), s -> new ConcurrentHashMap<>())
                    .put(endpoint.id(), newRegistration(endpoint, policy));
            changed();
        }

        private static Registration newRegistration(Endpoint endpoint, HealthPolicy policy) {
            long now = System.nanoTime();
            return new Registration(endpoint, policy, now, now);
        }

        synchronized void renew(String service, String id) {
            requireUp();
            Map<String, Registration> regs = services.get(service);
            long now = System.nanoTime();
            // A registration past its deregister-after is gone even if no read has removed it yet.
            Registration r = regs == null ? null : regs.computeIfPresent(id,
                    (k, old) -> old.expiredAt(now) ? null : old.renewedAt(now));
            if (r == null) {
                throw new NotRegisteredException(service, id);
            }
            changed();
        }

        synchronized void deregister(String service, String id) {
            requireUp();
            Map<String, Registration> regs = services.get(service);
            if (regs != null && regs.remove(id) != null) {
                changed();
            }
        }

        synchronized List<EndpointStatus> list(String service) {
            requireUp();
            Map<String, Registration> regs = services.getOrDefault(service, Map.of());
            long now = System.nanoTime();
            List<EndpointStatus> out = new ArrayList<>(regs.size());
            for (Registration r : regs.values()) {
                if (r.expiredAt(now)) {
                    regs.remove(r.endpoint.id(), r);
                    continue;
                }
                out.add(r.statusAt(now));
            }
            return out;
        }

        void addWatch(RelistingWatch w) {
            watches.add(w);
        }

        void removeWatch(RelistingWatch w) {
            watches.remove(w);
        }

        private void changed() {
            watches.forEach(RelistingWatch::poke);
        }

        private void setUp(boolean up) {
            this.up = up;
            changed();
        }

        private synchronized void clear() {
            services.clear();
        }

        private void requireUp() {
            if (!up) {
                throw new StoreUnavailableException("memory store server for zone " + zone + " in space '" + space
                        + "' is stopped; MemorySpace.start(zone) brings it back");
            }
        }
    }
}

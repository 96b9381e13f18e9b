package io.hotline.discovery.redis;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.NotRegisteredException;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.Zone;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.Watch;
import io.hotline.discovery.spi.WatchListener;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code redis} store: registrations of the home zone in the home deployment, reads of other zones from the
 * deployment that holds them (the home one, which may hold several zones, or a configured remote one). A remote
 * deployment that is down is an error for its zone only.
 */
final class RedisStore implements EndpointStore {

    private static final Logger LOG = LoggerFactory.getLogger(RedisStore.class);
    /** How often a registration notes the home zone in {@code P:zones} again, in case the server lost it. */
    private static final Duration ZONE_NOTE_INTERVAL = Duration.ofSeconds(10);

    private final Zone home;
    private final RedisDeployment local;
    private final Map<Zone, RedisDeployment> remotes;
    private final ScheduledExecutorService sweeper;
    private volatile Set<Zone> localZones;
    private volatile long zoneNotedAt = Long.MIN_VALUE;

    RedisStore(Zone home, RedisDeployment local, Map<Zone, RedisDeployment> remotes) {
        this.home = Objects.requireNonNull(home, "home");
        this.local = local;
        this.remotes = Map.copyOf(remotes);
        this.localZones = Set.of(home);
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hotline-redis-sweep");
            t.setDaemon(true);
            return t;
        });
        // Each remote deployment is swept by the clients of its own zone; this one by ours. A random start spreads
        // the clients' attempts over the interval; the one that takes the turn first sweeps for all.
        long interval = local.settings().sweepInterval().toMillis();
        String owner = UUID.randomUUID().toString();
        sweeper.scheduleWithFixedDelay(() -> sweep(owner), ThreadLocalRandom.current().nextLong(interval), interval,
                TimeUnit.MILLISECONDS);
    }

    private void sweep(String owner) {
        try {
            long removed = local.sweepIfOurTurn(local.settings().sweepInterval(), owner);
            if (removed > 0) {
                LOG.debug("swept {} expired registrations from Redis {}", removed, local.settings());
            }
        } catch (StoreException | IllegalStateException e) {
            LOG.debug("cannot sweep Redis {} now: {}", local.settings(), e.getMessage());
        }
    }

    @Override
    public Zone homeZone() {
        return home;
    }

    @Override
    public Set<Zone> zones() {
        Set<Zone> zones = new LinkedHashSet<>();
        zones.add(home);
        zones.addAll(refreshLocalZones());
        zones.addAll(remotes.keySet());
        return Set.copyOf(zones);
    }

    @Override
    public void register(Endpoint endpoint, HealthPolicy policy) {
        EndpointStore.requireWithinHomeZone(endpoint, home);
        Objects.requireNonNull(policy, "policy");
        local.register(endpoint, home, policy);
        long now = System.nanoTime();
        if (zoneNotedAt == Long.MIN_VALUE || now - zoneNotedAt > ZONE_NOTE_INTERVAL.toNanos()) {
            local.addZone(home);
            zoneNotedAt = now;
        }
    }

    @Override
    public void renew(String service, String id) {
        if (!local.renew(service, id, home)) {
            throw new NotRegisteredException(service, id);
        }
    }

    @Override
    public void deregister(String service, String id) {
        local.deregister(service, id, home);
    }

    @Override
    public List<EndpointStatus> list(String service, Zone zone) {
        return deployment(zone).read(service, zone).statuses();
    }

    @Override
    public Watch watch(String service, Zone zone, WatchListener listener) {
        Objects.requireNonNull(listener, "listener");
        return deployment(zone).watch(service, zone, listener);
    }

    private RedisDeployment deployment(Zone zone) {
        Objects.requireNonNull(zone, "zone");
        RedisDeployment remote = remotes.get(zone);
        if (remote != null) {
            return remote;
        }
        if (zone.equals(home) || localZones.contains(zone) || refreshLocalZones().contains(zone)) {
            return local;
        }
        throw new IllegalArgumentException("zone " + zone + " is not known to the Redis store of " + home
                + "; known: " + zones() + ". List a remote deployment for it in hotline.redis.remotes, or register "
                + "something in it first");
    }

    /** The zones registered in the home deployment, or the last ones known while it cannot be reached. */
    private Set<Zone> refreshLocalZones() {
        try {
            localZones = local.zones();
        } catch (StoreException e) {
            LOG.debug("cannot list the zones of Redis {}; using the last known: {}", local.settings(), e.getMessage());
        }
        return localZones;
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        local.close();
        remotes.values().forEach(RedisDeployment::close);
    }

    @Override
    public String toString() {
        return "redis store of zone " + home + " at " + local.settings();
    }
}

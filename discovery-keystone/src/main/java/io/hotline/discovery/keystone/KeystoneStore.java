package io.hotline.discovery.keystone;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.NotRegisteredException;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.Zone;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.RelistingWatch;
import io.hotline.discovery.spi.Watch;
import io.hotline.discovery.spi.WatchListener;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code keystone} store: registrations of the home zone in the home Keystone, reads of other zones from the
 * Keystone that holds them (the home one, whose regions under the configured roots are zones, or a configured remote).
 * A remote that is down is an error for its zone only.
 */
final class KeystoneStore implements EndpointStore {

    private static final Logger LOG = LoggerFactory.getLogger(KeystoneStore.class);

    private final Zone home;
    private final KeystoneSite local;
    private final Map<Zone, KeystoneSite> remotes;
    private final ScheduledExecutorService scheduler;
    private volatile Set<Zone> localZones;

    KeystoneStore(Zone home, KeystoneSite local, Map<Zone, KeystoneSite> remotes) {
        this.home = Objects.requireNonNull(home, "home");
        this.local = local;
        this.remotes = Map.copyOf(remotes);
        this.localZones = Set.of(home);
        this.scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "hotline-keystone");
            t.setDaemon(true);
            return t;
        });
        if (!local.catalogMode()) {
            long interval = local.settings().reapInterval().toNanos();
            // A random start spreads the processes' turn checks over the interval.
            scheduler.scheduleWithFixedDelay(this::reap, ThreadLocalRandom.current().nextLong(interval), interval,
                    TimeUnit.NANOSECONDS);
        }
    }

    private void reap() {
        try {
            int removed = local.reapIfOurTurn();
            if (removed > 0) {
                LOG.debug("reaped {} registrations past deregister-after from {}", removed, local.settings().authUrl());
            }
        } catch (StoreException | IllegalArgumentException e) {
            LOG.debug("cannot reap now: {}", e.getMessage());
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

    /**
     * The zones of the home Keystone's regions, or the last ones known while it cannot be reached. Zones never overlap,
     * or an all-zone lookup would list an endpoint twice: a region inside the home zone or a remote's is theirs, and a
     * region holding other regions (the home zone's parent, say) is known through them, not as a zone of its own.
     */
    private Set<Zone> refreshLocalZones() {
        try {
            Set<Zone> regions = local.zones(home);
            Set<Zone> fixed = new LinkedHashSet<>(remotes.keySet());
            fixed.add(home);
            Set<Zone> zones = new LinkedHashSet<>();
            for (Zone z : regions) {
                boolean overlapsFixed = fixed.stream().anyMatch(f -> z.isWithin(f) || f.isWithin(z));
                boolean holdsOthers = regions.stream().anyMatch(o -> !o.equals(z) && o.isWithin(z));
                if (!overlapsFixed && !holdsOthers) {
                    zones.add(z);
                }
            }
            localZones = Set.copyOf(zones);
        } catch (StoreException e) {
            LOG.debug("cannot list the regions of {}; using the last known: {}", local.settings().authUrl(),
                    e.getMessage());
        }
        return localZones;
    }

    @Override
    public void register(Endpoint endpoint, HealthPolicy policy) {
        EndpointStore.requireWithinHomeZone(endpoint, home);
        Objects.requireNonNull(policy, "policy");
        local.register(endpoint, policy);
    }

    @Override
    public void renew(String service, String id) {
        if (!local.renew(service, id)) {
            throw new NotRegisteredException(service, id);
        }
    }

    @Override
    public void deregister(String service, String id) {
        local.deregister(service, id);
    }

    @Override
    public List<EndpointStatus> list(String service, Zone zone) {
        return site(zone).list(service, zone);
    }

    /** Keystone announces nothing: a watch lists again every poll interval, its propagation bound. */
    @Override
    public Watch watch(String service, Zone zone, WatchListener listener) {
        Objects.requireNonNull(listener, "listener");
        KeystoneSite site = site(zone);
        return RelistingWatch.start(() -> site.list(service, zone), listener, scheduler, site.settings().pollInterval());
    }

    private KeystoneSite site(Zone zone) {
        Objects.requireNonNull(zone, "zone");
        for (Map.Entry<Zone, KeystoneSite> remote : remotes.entrySet()) {
            if (zone.isWithin(remote.getKey())) {
                return remote.getValue();
            }
        }
        if (zone.isWithin(home) || localZones.contains(zone) || refreshLocalZones().contains(zone)) {
            return local;
        }
        throw new IllegalArgumentException("zone " + zone + " is not known to the Keystone store of " + home
                + "; known: " + zones() + ". Create its region (parent_region_id the enclosing zone's), or list a "
                + "remote Keystone for it in hotline.keystone.remotes");
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        local.close();
        remotes.values().forEach(KeystoneSite::close);
    }

    @Override
    public String toString() {
        return "keystone store of zone " + home + " at " + local.settings();
    }
}

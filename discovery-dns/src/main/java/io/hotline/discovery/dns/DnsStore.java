package io.hotline.discovery.dns;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code dns} store: registrations of the home zone on the home name server, reads of other zones from the name
 * server that holds them (the home one, which may hold zones inside the home zone, or a configured remote). A remote
 * that is down is an error for its zone only.
 */
final class DnsStore implements EndpointStore {

    private static final Logger LOG = LoggerFactory.getLogger(DnsStore.class);
    private static final Duration KEEP_CURRENT_WHILE_READ_WITHIN = Duration.ofMinutes(1);

    private final Zone home;
    private final ZoneSite local;
    private final Map<Zone, ZoneSite> remotes;
    private final ScheduledExecutorService scheduler;

    DnsStore(Zone home, ZoneSite local, Map<Zone, ZoneSite> remotes) {
        this.home = Objects.requireNonNull(home, "home");
        this.local = local;
        this.remotes = Map.copyOf(remotes);
        this.scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "hotline-dns");
            t.setDaemon(true);
            return t;
        });
        // Sites read lately are kept current between reads, so that each renewal is seen soon after it happened (see
        // ZoneReplica); one idle for a minute is left alone.
        for (ZoneSite site : sites()) {
            long poll = site.settings().pollInterval().toNanos();
            scheduler.scheduleWithFixedDelay(() -> keepCurrent(site), poll, poll, TimeUnit.NANOSECONDS);
        }
        if (local instanceof RegisteringZone registering) {
            long interval = local.settings().reapInterval().toNanos();
            // A random start spreads the processes' turn checks over the interval.
            scheduler.scheduleWithFixedDelay(() -> reap(registering), ThreadLocalRandom.current().nextLong(interval),
                    interval, TimeUnit.NANOSECONDS);
        }
    }

    private List<ZoneSite> sites() {
        List<ZoneSite> all = new ArrayList<>(remotes.values());
        all.add(0, local);
        return all;
    }

    private static void keepCurrent(ZoneSite site) {
        try {
            site.keepCurrent(KEEP_CURRENT_WHILE_READ_WITHIN);
        } catch (StoreException | IllegalArgumentException e) {
            LOG.debug("cannot refresh {} now: {}", site.zone(), e.getMessage());
        }
    }

    private void reap(RegisteringZone zone) {
        try {
            int removed = zone.reapIfOurTurn();
            if (removed > 0) {
                LOG.debug("reaped {} registrations past deregister-after in {}", removed, zone.zone());
            }
        } catch (StoreException | IllegalArgumentException e) {
            LOG.debug("cannot reap {} now: {}", zone.zone(), e.getMessage());
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
        zones.addAll(local.zones());
        zones.addAll(remotes.keySet());
        return Set.copyOf(zones);
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
        return site(zone).list(service, zone).statuses();
    }

    /** Re-lists every poll interval, and at the moment a lease in the last snapshot runs out. */
    @Override
    public Watch watch(String service, Zone zone, WatchListener listener) {
        Objects.requireNonNull(listener, "listener");
        ZoneSite site = site(zone);
        AtomicReference<RelistingWatch> self = new AtomicReference<>();
        RelistingWatch w = RelistingWatch.start(() -> {
            ZoneSite.Listing l = site.list(service, zone);
            if (l.nextChange() != null) {
                scheduleNudge(self, l.nextChange());
            }
            return l.statuses();
        }, listener, scheduler, site.settings().pollInterval());
        self.set(w);
        return w;
    }

    private void scheduleNudge(AtomicReference<RelistingWatch> watch, Duration in) {
        try {
            scheduler.schedule(() -> {
                RelistingWatch w = watch.get();
                if (w != null) {
                    w.poke();
                }
            }, in.toNanos() + 1_000_000, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    private ZoneSite site(Zone zone) {
        Objects.requireNonNull(zone, "zone");
        ZoneSite remote = remotes.get(zone);
        if (remote != null) {
            return remote;
        }
        if (zone.isWithin(home) || local.zones().contains(zone)) {
            return local;
        }
        throw new IllegalArgumentException("zone " + zone + " is not known to the DNS store of " + home + "; known: "
                + zones() + ". List a remote name server for it in hotline.dns.remotes");
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        local.close();
        remotes.values().forEach(ZoneSite::close);
    }

    @Override
    public String toString() {
        return "dns store of zone " + home + " at " + local.settings();
    }
}

package io.hotline.discovery.memory;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Zone;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.RelistingWatch;
import io.hotline.discovery.spi.Watch;
import io.hotline.discovery.spi.WatchListener;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** An {@link EndpointStore} in a {@link MemorySpace}; writes go to the home zone's server. */
final class MemoryStore implements EndpointStore {

    private final MemorySpace space;
    private final Zone home;
    private final Duration pollInterval;
    private final ScheduledExecutorService scheduler;

    MemoryStore(MemorySpace space, Zone home, Duration pollInterval) {
        this.space = space;
        this.home = home;
        this.pollInterval = pollInterval;
        space.server(home);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hotline-memory-watch-" + home);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public Zone homeZone() {
        return home;
    }

    @Override
    public Set<Zone> zones() {
        Set<Zone> zones = new LinkedHashSet<>();
        zones.add(home);
        zones.addAll(space.zones());
        return zones;
    }

    @Override
    public void register(Endpoint endpoint, HealthPolicy policy) {
        Objects.requireNonNull(policy, "policy");
        EndpointStore.requireWithinHomeZone(endpoint, home);
        space.server(home).register(endpoint, policy);
    }

    @Override
    public void renew(String service, String id) {
        space.server(home).renew(service, id);
    }

    @Override
    public void deregister(String service, String id) {
        space.server(home).deregister(service, id);
    }

    @Override
    public List<EndpointStatus> list(String service, Zone zone) {
        return server(zone).list(service);
    }

    @Override
    public Watch watch(String service, Zone zone, WatchListener listener) {
        MemorySpace.Server server = server(zone);
        RelistingWatch w = RelistingWatch.start(() -> server.list(service), listener, scheduler, pollInterval);
        server.addWatch(w);
        return () -> {
            server.removeWatch(w);
            w.close();
        };
    }

    private MemorySpace.Server server(Zone zone) {
        if (!space.zones().contains(zone)) {
            throw new IllegalArgumentException("zone " + zone + " has no server in memory space '" + space.name()
                    + "'; known zones: " + space.zones());
        }
        return space.server(zone);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}

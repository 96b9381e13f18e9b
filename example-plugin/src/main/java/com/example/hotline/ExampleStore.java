package com.example.hotline;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreException;
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

/**
 * The {@code example} store: the SPI methods and nothing more. Caching, selection, failover, stale-serving and
 * heartbeats come from the core ({@code Directory}, {@code Heartbeater}), so they are not here.
 */
final class ExampleStore implements EndpointStore {

    private final String cluster;
    private final Zone home;
    private final ExampleServer homeServer;
    private final Duration pollInterval;
    private final ScheduledExecutorService scheduler;

    ExampleStore(String cluster, Zone home, Duration pollInterval) {
        this.cluster = cluster;
        this.home = home;
        this.pollInterval = pollInterval;
        // Creating the home server makes this zone visible to the other stores of the cluster at once.
        this.homeServer = ExampleServer.named(cluster, home);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "example-store-watch-" + home);
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
        zones.addAll(ExampleServer.zones(cluster));
        return zones;
    }

    @Override
    public void register(Endpoint endpoint, HealthPolicy policy) {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(policy, "policy");
        EndpointStore.requireWithinHomeZone(endpoint, home);
        homeServer.put(endpoint, policy);
    }

    @Override
    public void renew(String service, String id) {
        homeServer.renew(service, id);
    }

    @Override
    public void deregister(String service, String id) {
        homeServer.remove(service, id);
    }

    @Override
    public List<EndpointStatus> list(String service, Zone zone) {
        return server(zone).list(service);
    }

    /**
     * Re-lists on every write to the server (registrations show at once) and every poll interval (health changes
     * happen with time, without a write, so polling is what bounds how late a watcher sees them).
     */
    @Override
    public Watch watch(String service, Zone zone, WatchListener listener) {
        ExampleServer server = server(zone);
        Unsubscribing unsubscribing = new Unsubscribing(listener);
        RelistingWatch watch = RelistingWatch.start(() -> server.list(service), unsubscribing, scheduler, pollInterval);
        unsubscribing.subscribe(server, watch);
        return () -> {
            unsubscribing.unsubscribe();
            watch.close();
        };
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    private ExampleServer server(Zone zone) {
        Objects.requireNonNull(zone, "zone");
        if (!ExampleServer.zones(cluster).contains(zone)) {
            throw new IllegalArgumentException("zone " + zone + " has no example server in cluster '" + cluster
                    + "'; known zones: " + zones());
        }
        return ExampleServer.named(cluster, zone);
    }

    /**
     * Subscribes a watch to its server's changes and drops the subscription when the watch ends with an error: the
     * core never closes a watch that failed (it opens a new one), so without this every outage would leave a dead
     * subscriber behind on the server.
     */
    private static final class Unsubscribing implements WatchListener {
        private final WatchListener listener;
        private volatile Runnable unsubscribe = () -> { };
        private volatile boolean failed;

        Unsubscribing(WatchListener listener) {
            this.listener = listener;
        }

        void subscribe(ExampleServer server, RelistingWatch watch) {
            unsubscribe = server.onChange(watch::poke);
            // The first listing runs on the scheduler and may have failed before we subscribed.
            if (failed) {
                unsubscribe();
            }
        }

        void unsubscribe() {
            unsubscribe.run();
        }

        @Override
        public void onSnapshot(List<EndpointStatus> endpoints) {
            listener.onSnapshot(endpoints);
        }

        @Override
        public void onError(StoreException error) {
            failed = true;
            unsubscribe();
            listener.onError(error);
        }
    }
}

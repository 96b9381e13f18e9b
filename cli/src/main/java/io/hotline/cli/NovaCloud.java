package io.hotline.cli;

import io.hotline.broadcaster.Broadcaster;
import io.hotline.discovery.Directory;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.server.RpcServer;
import io.hotline.rpc.Target;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The demo's small Nova: a broadcaster, a scheduler and computes in {@code region-one/az-1}, another scheduler and a
 * compute in {@code region-one/az-2}, all RPC servers registered in one store with a short health policy.
 */
final class NovaCloud implements AutoCloseable {

    static final String SCHEDULER = "nova.scheduler";
    static final String COMPUTE = "nova.compute";
    static final Zone REGION = Zone.of("region-one");
    static final Zone AZ1 = REGION.child("az-1");
    static final Zone AZ2 = REGION.child("az-2");

    private final EndpointStore store;
    private final HotlineConfig config;
    private final HealthPolicy policy;
    private final Consumer<String> log;
    private final Map<String, RpcServer> servers = new LinkedHashMap<>();
    private final Map<String, ComputeEndpoint> computes = new LinkedHashMap<>();
    private final Map<String, ReportSwitch> reports = new LinkedHashMap<>();
    private final List<Directory> directories = new ArrayList<>();
    private Broadcaster broadcaster;

    NovaCloud(EndpointStore store, HotlineConfig config, HealthPolicy policy, Consumer<String> log) {
        this.store = store;
        this.config = config;
        this.policy = policy;
        this.log = log;
    }

    /** Starts the broadcaster, two schedulers (one per zone) and three computes (two in az-1, one in az-2). */
    NovaCloud start() {
        long t0 = System.nanoTime();
        broadcaster = Broadcaster.builder(store).config(config).zone(AZ1).server("broadcaster-1").healthPolicy(policy)
                .start();
        log.accept(started("broadcaster-1", AZ1, broadcaster.endpoint().baseUri(), t0));
        scheduler("scheduler-1", AZ1);
        scheduler("scheduler-2", AZ2);
        compute("compute-1", AZ1, 4096);
        compute("compute-2", AZ1, 8192);
        compute("compute-3", AZ2, 8192);
        return this;
    }

    private void scheduler(String name, Zone zone) {
        long t0 = System.nanoTime();
        Directory directory = Directory.builder(store).zone(zone).build();
        directories.add(directory);
        RpcServer server = RpcServer.builder(store).config(config)
                .target(Target.topic("scheduler").exchange("nova").server(name))
                .endpoint(new SchedulerEndpoint(name, zone.path(), directory))
                .zone(zone).healthPolicy(policy).start();
        servers.put(name, server);
        log.accept(started(name, zone, server.endpoint().baseUri(), t0));
    }

    private void compute(String name, Zone zone, int freeRamMb) {
        long t0 = System.nanoTime();
        ComputeEndpoint endpoint = new ComputeEndpoint();
        ReportSwitch reporting = new ReportSwitch(store);
        RpcServer server = RpcServer.builder(reporting).config(config)
                .target(Target.topic("compute").exchange("nova").server(name))
                .endpoint(endpoint)
                .zone(zone).healthPolicy(policy).metadata("free_ram_mb", Integer.toString(freeRamMb)).start();
        servers.put(name, server);
        computes.put(name, endpoint);
        reports.put(name, reporting);
        log.accept(started(name, zone, server.endpoint().baseUri(), t0));
    }

    private static String started(String name, Zone zone, String uri, long t0) {
        return String.format(java.util.Locale.ROOT, "started %-14s in %-16s at %s", name, zone, uri)
                + Timing.since(t0);
    }

    /** The broadcaster's status page, {@code GET /status/} on its listener. */
    String broadcasterStatusUrl() {
        return broadcaster.endpoint().baseUri() + "/status/";
    }

    EndpointStore store() {
        return store;
    }

    Map<String, ComputeEndpoint> computes() {
        return computes;
    }

    /** Cuts a compute's heartbeats, as if its process hung: it stays registered and the store turns it critical. */
    void stopReporting(String compute) {
        reports.get(compute).stopReporting();
    }

    /** Stops a server the normal way: deregister, drain, stop. */
    void stop(String name) {
        RpcServer server = servers.remove(name);
        if (server != null) {
            server.close();
        }
    }

    @Override
    public void close() {
        List<RuntimeException> failures = new ArrayList<>();
        servers.values().parallelStream().forEach(s -> {
            try {
                s.close();
            } catch (RuntimeException e) {
                synchronized (failures) {
                    failures.add(e);
                }
            }
        });
        servers.clear();
        if (broadcaster != null) {
            broadcaster.close();
        }
        directories.forEach(Directory::close);
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }
}

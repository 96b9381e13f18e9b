package io.hotline.benchmarks;

import io.hotline.discovery.Directory;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.Query;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.memory.MemoryStoreProvider;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.ForwardingEndpointStore;
import io.hotline.discovery.spi.Watch;
import io.hotline.discovery.spi.WatchListener;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * How much heap a client's {@link Directory} keeps per endpoint of a large service: the endpoints as the store
 * decoded them (a compute host's address and three capabilities), the directory's entry and selection state for
 * each, and a cached resolution over them. Measured as the heap in use after a full collection, with the service
 * listed and resolved, less the heap in use before, divided by the endpoint count; the lists handed to the directory
 * are dropped by the harness, so what remains is what the directory holds.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.hotline.benchmarks.DirectoryFootprint 13000
 * </pre>
 */
public final class DirectoryFootprint {

    private static final String SERVICE = "nova.compute";

    private DirectoryFootprint() {}

    public static void main(String[] args) {
        int endpoints = args.length > 0 ? Integer.parseInt(args[0]) : 13_000;
        HotlineConfig config = HotlineConfig.of(Map.of(
                HotlineConfig.STORE, "memory",
                MemoryStoreProvider.SPACE, "footprint-" + UUID.randomUUID()));
        try (EndpointStore memory = StoreProviders.load().open(config)) {
            long before = usedAfterGc();
            AtomicReference<List<EndpointStatus>> listing = new AtomicReference<>(hosts(endpoints));
            EndpointStore store = new ForwardingEndpointStore(memory) {
                @Override
                public List<EndpointStatus> list(String service, Zone zone) {
                    return listing.getAndSet(null);
                }

                @Override
                public Watch watch(String service, Zone zone, WatchListener listener) {
                    return () -> { };
                }
            };
            try (Directory directory = Directory.builder(store).build()) {
                int resolved = directory.resolve(Query.of(SERVICE)).size();
                if (resolved != endpoints) {
                    throw new IllegalStateException("resolved " + resolved + " of " + endpoints + " endpoints");
                }
                long after = usedAfterGc();
                System.out.printf("%,d endpoints: %,d bytes of heap per endpoint (%,.1f MiB in all)%n", endpoints,
                        (after - before) / endpoints, (after - before) / 1024.0 / 1024.0);
                // Keeps the directory reachable until measured.
                System.out.println("resolution: " + directory.resolve(Query.of(SERVICE)));
            }
        }
    }

    /** Compute hosts of {@code nova.compute} as nova registers them: an address, a port and a few capabilities. */
    static List<EndpointStatus> hosts(int n) {
        Instant since = Instant.now();
        List<EndpointStatus> all = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Endpoint e = Endpoint.builder(SERVICE)
                    .server("compute-" + i)
                    .host("10." + (i >> 16 & 0xff) + "." + (i >> 8 & 0xff) + "." + (i & 0xff))
                    .port(8470)
                    .metadata("hypervisor_type", "QEMU")
                    .metadata("free_ram_mb", Integer.toString(65536 + i % 1024))
                    .metadata("free_disk_gb", Integer.toString(500 + i % 100))
                    .build();
            all.add(new EndpointStatus(e, Health.PASSING, since));
        }
        return all;
    }

    /** Heap in use after full collections, repeated (at most 10 times) until it stops shrinking. */
    private static long usedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            long now = memory.getHeapMemoryUsage().getUsed();
            if (now >= used) {
                return now;
            }
            used = now;
        }
        return used;
    }
}

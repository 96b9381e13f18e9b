package io.hotline.cli;

import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code hotline zones}: the Nova zones design's zone-list. The zones the store knows (its home zone first), and,
 * for the services named, the endpoint zones inside each with how many endpoints pass.
 */
@Command(name = "zones", mixinStandardHelpOptions = true,
        description = {"List the zones the store knows, home zone first (the Nova zones design's zone-list).",
                "With SERVICE..., also the zones their endpoints are in, with passing/registered counts per service."})
final class ZonesCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions configOptions;

    @Parameters(arity = "0..*", paramLabel = "SERVICE", description = "Services to count, e.g. nova.compute.")
    List<String> services = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        HotlineConfig config = configOptions.config();
        PrintWriter out = spec.commandLine().getOut();
        services.forEach(Inventory::requireValid);
        try (EndpointStore store = ConfigOptions.openStore(config)) {
            List<Zone> zones = Inventory.zones(store);
            for (Zone zone : zones) {
                out.println(zone.path() + (zone.equals(store.homeZone()) ? "  (home zone of this store)" : "  (federated)"));
                if (services.isEmpty()) {
                    continue;
                }
                // endpoint zone -> service -> [passing, registered]
                Map<String, Map<String, int[]>> counts = new TreeMap<>();
                for (String service : services) {
                    for (EndpointStatus s : store.list(service, zone)) {
                        int[] c = counts.computeIfAbsent(s.endpoint().zone().path(), k -> new LinkedHashMap<>())
                                .computeIfAbsent(service, k -> new int[2]);
                        c[0] += s.isPassing() ? 1 : 0;
                        c[1]++;
                    }
                }
                if (counts.isEmpty()) {
                    out.println("  no endpoint of " + String.join(", ", services));
                }
                counts.forEach((endpointZone, byService) -> {
                    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-28s", endpointZone));
                    byService.forEach((service, c) -> line.append(String.format(Locale.ROOT, "  %s %d/%d passing",
                            service, c[0], c[1])));
                    out.println(line);
                });
            }
        }
        return Hotline.OK;
    }
}

package io.hotline.cli;

import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Untrusted;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hotline endpoints}: the servers of some services with zone, health, priority and weight; with {@code --zone}
 * it is the Nova zones design's zone-details for that zone (every endpoint there with its capabilities).
 */
@Command(name = "endpoints", mixinStandardHelpOptions = true,
        description = "List the endpoints of SERVICE... in every zone the store knows, with health, zone and"
                + " priority, weight and capabilities (the Nova zones design's zone-details with --zone).")
final class EndpointsCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions configOptions;

    @Parameters(arity = "1..*", paramLabel = "SERVICE", description = "Services as registered, e.g. nova.compute.")
    List<String> services;

    @Option(names = "--in", paramLabel = "ZONE", description = "Only endpoints within this zone, e.g. region-one/az-1.")
    String within;

    @Option(names = "--passing", description = "Only passing (healthy) endpoints.")
    boolean passingOnly;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        HotlineConfig config = configOptions.config();
        Zone filter = within == null ? null : Zone.of(within);
        List<EndpointStatus> shown = new ArrayList<>();
        try (EndpointStore store = ConfigOptions.openStore(config)) {
            for (EndpointStatus s : Inventory.list(store, services)) {
                if ((filter == null || s.endpoint().zone().isWithin(filter)) && (!passingOnly || s.isPassing())) {
                    shown.add(s);
                }
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(TargetOptions.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(
                    shown.stream().map(EndpointsCommand::row).toList()));
            return Hotline.OK;
        }
        if (shown.isEmpty()) {
            out.println("no " + (passingOnly ? "passing " : "") + "endpoint of " + String.join(", ", services)
                    + (filter != null ? " within " + filter : "") + " (store " + config.storeName() + ")");
            return Hotline.OK;
        }
        String format = "%-18s %-24s %-14s %-18s %-28s %-8s %-8s %-6s %s%n";
        out.printf(Locale.ROOT, format, "SERVICE", "ID", "SERVER", "ZONE", "ADDRESS", "HEALTH", "PRIORITY", "WEIGHT",
                "CAPABILITIES");
        for (EndpointStatus s : shown) {
            Map<String, Object> r = row(s);
            out.printf(Locale.ROOT, format, r.get("service"), r.get("id"), r.get("server"), r.get("zone"),
                    r.get("address"), r.get("health"), r.get("priority"), r.get("weight"), metadata(s));
        }
        return Hotline.OK;
    }

    private static Map<String, Object> row(EndpointStatus s) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("service", s.endpoint().service());
        r.put("id", s.endpoint().id());
        r.put("server", s.endpoint().server());
        r.put("zone", s.endpoint().zone().path());
        r.put("address", s.endpoint().baseUri());
        r.put("health", s.health().name().toLowerCase(Locale.ROOT));
        r.put("priority", s.endpoint().priority());
        r.put("weight", s.endpoint().weight());
        r.put("metadata", s.endpoint().metadata());
        return r;
    }

    private static String metadata(EndpointStatus s) {
        // Values are anything a registrant wrote; keys are validated.
        return s.endpoint().metadata().entrySet().stream().map(e -> e.getKey() + "=" + Untrusted.escape(e.getValue()))
                .collect(Collectors.joining(","));
    }
}

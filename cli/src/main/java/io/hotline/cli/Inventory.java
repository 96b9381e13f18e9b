package io.hotline.cli;

import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Query;
import io.hotline.discovery.Zone;
import io.hotline.discovery.spi.EndpointStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** What the store holds for some services, across every zone it knows: the listing commands' one read. */
final class Inventory {

    private Inventory() {}

    /** The store's zones, home first, then by path. */
    static List<Zone> zones(EndpointStore store) {
        Set<Zone> sorted = new TreeSet<>(Comparator.comparing(Zone::path));
        sorted.addAll(store.zones());
        sorted.remove(store.homeZone());
        List<Zone> zones = new ArrayList<>();
        zones.add(store.homeZone());
        zones.addAll(sorted);
        return zones;
    }

    /** Refuses a service name no server could register under, saying what a valid one is. */
    static void requireValid(String service) {
        Query.of(service);
    }

    /** Every endpoint of {@code services} in every store zone, with its health, in a stable order. */
    static List<EndpointStatus> list(EndpointStore store, List<String> services) {
        services.forEach(Inventory::requireValid);
        List<EndpointStatus> all = new ArrayList<>();
        for (Zone zone : zones(store)) {
            for (String service : services) {
                all.addAll(store.list(service, zone));
            }
        }
        all.sort(Comparator.comparing((EndpointStatus s) -> s.endpoint().service())
                .thenComparing(s -> s.endpoint().zone().path())
                .thenComparing(s -> s.endpoint().server())
                .thenComparing(s -> s.endpoint().id()));
        return all;
    }
}

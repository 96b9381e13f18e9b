package io.hotline.tck;

import io.hotline.discovery.Zone;
import java.util.ArrayList;
import java.util.List;

/** Zones next to a given one that a containment check written as a string comparison gets wrong. */
final class ZoneEdges {

    private ZoneEdges() {}

    /**
     * Zones outside {@code zone}: the sibling whose name starts with its name ({@code az-1} and {@code az-10}), its
     * parent when it has one, and a root of its own.
     */
    static List<Zone> outside(Zone zone) {
        List<Zone> out = new ArrayList<>();
        out.add(prefixSibling(zone));
        zone.parent().ifPresent(out::add);
        out.add(Zone.of("tck-elsewhere"));
        return out;
    }

    /** The zone whose last segment is {@code zone}'s with a {@code 0} appended: a string prefix, yet a sibling. */
    static Zone prefixSibling(Zone zone) {
        String last = zone.segments().get(zone.depth() - 1);
        String name = last.length() < 63 ? last + "0" : last.substring(0, 62) + "0";
        return zone.parent().map(p -> p.child(name)).orElseGet(() -> Zone.of(name));
    }
}

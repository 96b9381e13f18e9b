package io.hotline.discovery.keystone;

import io.hotline.discovery.Zone;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Zones are Keystone regions: zone {@code region-one/az-1} is the region {@code region-one.az-1} whose parent is the
 * region {@code region-one}. Zone segments hold no dot, so the id maps back without loss; a region whose id is not
 * such a path, or whose parent is not the id's prefix, is not a Hotline zone.
 */
final class Regions {

    static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");

    private Regions() {}

    /** {@code region-one.az-1} for {@code region-one/az-1}. */
    static String id(Zone zone) {
        return String.join(".", zone.segments());
    }

    /** The parent region's id, if the zone has a parent. */
    static Optional<String> parentId(Zone zone) {
        return zone.parent().map(Regions::id);
    }

    /** The zone a region is, if it is one. */
    static Optional<Zone> zone(String regionId, String parentRegionId) {
        if (regionId == null || regionId.isEmpty()) {
            return Optional.empty();
        }
        String[] segments = regionId.split("\\.", -1);
        for (String s : segments) {
            if (!SEGMENT.matcher(s).matches()) {
                return Optional.empty();
            }
        }
        Zone zone;
        try {
            zone = Zone.of(String.join("/", segments));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String expectedParent = parentId(zone).orElse(null);
        boolean parentMatches = expectedParent == null ? parentRegionId == null || parentRegionId.isEmpty()
                : expectedParent.equals(parentRegionId);
        return parentMatches ? Optional.of(zone) : Optional.empty();
    }
}

package io.hotline.discovery.config;

import io.hotline.discovery.Zone;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The zones a store federates with, as its configuration lists them: {@code <prefix>remotes} names aliases, each
 * alias's {@code <prefix>remote.<alias>.zone} gives the zone it serves, and the store reads the rest of that remote's
 * keys (its server, its credentials) under {@code <prefix>remote.<alias>.}, the same keys as its home ones.
 *
 * <pre>{@code
 * // hotline.redis.remotes=az2
 * // hotline.redis.remote.az2.zone=region-one/az-2
 * // hotline.redis.remote.az2.nodes=10.1.0.5:6379
 * RemoteZones.read(config, "hotline.redis.", home)     // {region-one/az-2=hotline.redis.remote.az2.}
 *         .forEach((zone, keys) -> remotes.put(zone, settings(config, keys)));
 * }</pre>
 */
public final class RemoteZones {

    private static final Pattern ALIAS = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private RemoteZones() {}

    /**
     * Each federated zone with the prefix of its keys, in the order the aliases are listed.
     *
     * @param storePrefix the store's own prefix, e.g. {@code hotline.redis.}
     * @throws IllegalArgumentException naming the key, for an alias that is not 1-64 letters, digits, '-' or '_', a
     *     missing or invalid zone, or a zone given twice or equal to {@code home}
     */
    public static Map<Zone, String> read(HotlineConfig config, String storePrefix, Zone home) {
        String key = storePrefix + "remotes";
        Map<Zone, String> remotes = new LinkedHashMap<>();
        for (String alias : config.list(key)) {
            if (!ALIAS.matcher(alias).matches()) {
                throw config.invalid(key, "names the remote '" + alias
                        + "'; aliases are 1-64 letters, digits, '-' or '_', separated by commas");
            }
            String prefix = storePrefix + "remote." + alias + ".";
            String zoneKey = prefix + "zone";
            String zonePath = config.string(zoneKey).filter(s -> !s.isEmpty()).orElseThrow(() -> config.invalid(zoneKey,
                    "is missing; set it to the zone path the remote '" + alias + "' serves, e.g. region-two"));
            Zone zone;
            try {
                zone = Zone.of(zonePath);
            } catch (IllegalArgumentException e) {
                throw config.invalid(zoneKey, "is not a zone path: " + e.getMessage());
            }
            if (zone.equals(home) || remotes.containsKey(zone)) {
                throw config.invalid(zoneKey, "repeats the zone " + zone
                        + (zone.equals(home) ? ", which is this store's home zone (hotline.zone)" : " of another remote")
                        + "; give each remote a different zone");
            }
            remotes.put(zone, prefix);
        }
        return Collections.unmodifiableMap(remotes);
    }
}

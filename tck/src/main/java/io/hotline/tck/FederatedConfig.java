package io.hotline.tck;

import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The configuration a process in one zone of a fixture would have, for stores that federate zones by
 * {@code hotline.<store>.remotes}: its own zone's keys under {@code hotline.<store>.}, every other zone's under
 * {@code hotline.<store>.remote.<alias>.} with its {@code zone}.
 *
 * <pre>{@code
 * FederatedConfig.of("redis", Zone.of("region-one/az-1"), Map.of(
 *         Zone.of("region-one/az-1"), Map.of("nodes", a.address()),
 *         Zone.of("region-one/az-2"), Map.of("nodes", b.address())));
 * }</pre>
 */
final class FederatedConfig {

    private FederatedConfig() {}

    /**
     * @param keys each zone's keys, without the store's prefix; {@code zone} must be one of them
     * @param shared keys, without the prefix, every zone's site gets (home and remotes alike), e.g. timeouts
     */
    static HotlineConfig of(String store, Zone zone, Map<Zone, Map<String, String>> keys, Map<String, String> shared) {
        String prefix = "hotline." + store + ".";
        Map<String, String> values = new HashMap<>();
        values.put(HotlineConfig.STORE, store);
        values.put(HotlineConfig.ZONE, zone.path());
        shared.forEach((k, v) -> values.put(prefix + k, v));
        keys.get(zone).forEach((k, v) -> values.put(prefix + k, v));
        List<String> aliases = new ArrayList<>();
        keys.forEach((other, otherKeys) -> {
            if (other.equals(zone)) {
                return;
            }
            String alias = "r" + aliases.size();
            aliases.add(alias);
            String p = prefix + "remote." + alias + ".";
            values.put(p + "zone", other.path());
            shared.forEach((k, v) -> values.put(p + k, v));
            otherKeys.forEach((k, v) -> values.put(p + k, v));
        });
        values.put(prefix + "remotes", String.join(",", aliases));
        return HotlineConfig.of(values);
    }
}

package io.hotline.discovery.keystone;

import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.EndpointStoreProvider;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code keystone} store ({@code hotline.store=keystone}): endpoints in the Keystone v3 catalog every OpenStack
 * cloud runs. Zones are regions ({@code region-one/az-1} is the region {@code region-one.az-1} whose parent is
 * {@code region-one}); each Hotline service is a disabled Keystone service, so RPC endpoints stay out of users' tokens;
 * health is a lease in each endpoint's attributes, judged by Keystone's own clock; watches poll.
 *
 * <pre>{@code
 * HotlineConfig config = HotlineConfig.of(Map.of(
 *         "hotline.store", "keystone",
 *         "hotline.zone", "region-one/az-1",
 *         "hotline.keystone.auth-url", "https://keystone.example:5000/v3",
 *         "hotline.keystone.username", "hotline",
 *         "hotline.keystone.password", secret,
 *         "hotline.keystone.project-name", "service",
 *         "hotline.keystone.cafile", "/etc/ssl/certs/cloud-ca.pem"));
 * try (EndpointStore store = StoreProviders.load().open(config)) { ... }
 * }</pre>
 *
 * <p>Keys under {@code hotline.keystone.} (and {@code hotline.keystone.remote.<alias>.} for each remote), as
 * {@code keystone_authtoken} names them in a {@code [keystone]} INI section: {@code auth-url}, {@code username},
 * {@code password}, {@code project-name}, {@code user-domain-name}, {@code project-domain-name},
 * {@code system-scope}, {@code application-credential-id}, {@code application-credential-secret}, {@code interface}, {@code cafile},
 * {@code mode}, {@code root-regions}, {@code poll-interval}, {@code reap-interval}, {@code timeout}; see the README.
 */
public final class KeystoneStoreProvider implements EndpointStoreProvider {

    @Override
    public String name() {
        return "keystone";
    }

    /**
     * @throws IllegalArgumentException for a bad {@code hotline.keystone.*} value, naming the key
     */
    @Override
    public EndpointStore open(HotlineConfig config) {
        Zone home = config.zone();
        KeystoneSettings settings = KeystoneSettings.home(config);
        Map<Zone, KeystoneSite> remotes = new LinkedHashMap<>();
        KeystoneSettings.remotes(config, home).forEach((zone, s) -> remotes.put(zone,
                new KeystoneSite(zone, s, System::nanoTime)));
        return new KeystoneStore(home, new KeystoneSite(home, settings, System::nanoTime), remotes);
    }
}

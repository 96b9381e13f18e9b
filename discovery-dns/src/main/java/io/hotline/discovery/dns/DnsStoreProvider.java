package io.hotline.discovery.dns;

import io.hotline.discovery.StoreException;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.EndpointStoreProvider;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code dns} store ({@code hotline.store=dns}): endpoints as DNS-SD records (SRV, TXT, PTR) in zones of a name
 * server such as BIND, registered by RFC 2136 updates signed with TSIG. DNS has no health, expiry or push, so each
 * registration carries a lease that renewals rewrite, readers judge health from it, and one process per zone reaps
 * registrations past deregister-after; watches poll the zone's SOA serial and fetch what changed by IXFR.
 *
 * <pre>{@code
 * HotlineConfig config = HotlineConfig.of(Map.of(
 *         "hotline.store", "dns",
 *         "hotline.zone", "region-one/az-1",                      // names under az-1.region-one.rpc.example.
 *         "hotline.dns.domain", "rpc.example.",
 *         "hotline.dns.server", "10.0.0.53:53",
 *         "hotline.dns.tsig-key-name", "hotline-az1",
 *         "hotline.dns.tsig-secret-file", "/etc/hotline/az1.key",  // readable only by its owner
 *         "hotline.dns.remotes", "az2",                            // a zone on a name server of its own
 *         "hotline.dns.remote.az2.zone", "region-one/az-2",
 *         "hotline.dns.remote.az2.server", "10.1.0.53:53",
 *         "hotline.dns.remote.az2.mode", "read-only"));
 * try (EndpointStore store = StoreProviders.load().open(config)) { ... }
 * }</pre>
 *
 * <p>Keys under {@code hotline.dns.} (and under {@code hotline.dns.remote.<alias>.} for each remote): {@code domain},
 * {@code server}, {@code mode}, {@code tsig-key-name}, {@code tsig-algorithm}, {@code tsig-secret},
 * {@code tsig-secret-file}, {@code timeout}, {@code poll-interval}, {@code ttl}, {@code reap-interval},
 * {@code srv-name}; see the README. Opening succeeds while the name server is down (heartbeats retry).
 */
public final class DnsStoreProvider implements EndpointStoreProvider {

    @Override
    public String name() {
        return "dns";
    }

    /**
     * @throws IllegalArgumentException for a bad {@code hotline.dns.*} value, naming the key
     * @throws StoreException never at open: a refused key shows at the first registration
     */
    @Override
    public EndpointStore open(HotlineConfig config) {
        return open(config, Clock.systemUTC());
    }

    /** With the wall clock leases are stamped and first judged by: tests give it a skew. */
    static EndpointStore open(HotlineConfig config, Clock clock) {
        Zone home = config.zone();
        DnsSettings settings = DnsSettings.home(config);
        Map<Zone, ZoneSite> remotes = new LinkedHashMap<>();
        DnsSettings.remotes(config, home, settings).forEach((zone, s) -> remotes.put(zone, site(zone, s, clock)));
        return new DnsStore(home, site(home, settings, clock), remotes);
    }

    private static ZoneSite site(Zone zone, DnsSettings settings, Clock clock) {
        return settings.readOnly() ? new StaticZone(zone, settings, System::nanoTime)
                : new RegisteringZone(zone, settings, clock, System::nanoTime);
    }
}

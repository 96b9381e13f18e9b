package io.hotline.discovery.dns;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.Zone;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * A zone someone else maintains (a zone file, another registry's DNS interface): Hotline only reads plain SRV
 * records, each target and port one endpoint, passing while present, with the SRV's priority and weight. An answer is
 * kept for its TTL, as a caching resolver would.
 */
final class StaticZone implements ZoneSite {

    private static final Logger LOG = LoggerFactory.getLogger(StaticZone.class);

    private final Zone zone;
    private final DnsSettings settings;
    private final NameServer server;
    private final DnsNames names;
    private final LongSupplier nanos;
    private final Map<Name, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(List<SRVRecord> records, long until) {}

    StaticZone(Zone zone, DnsSettings settings, LongSupplier nanos) {
        this.zone = zone;
        this.settings = settings;
        this.server = new NameServer(settings);
        this.names = new DnsNames(settings.domain());
        this.nanos = nanos;
    }

    @Override
    public Zone zone() {
        return zone;
    }

    @Override
    public DnsSettings settings() {
        return settings;
    }

    @Override
    public void register(Endpoint endpoint, HealthPolicy policy) {
        throw readOnly();
    }

    @Override
    public boolean renew(String service, String id) {
        throw readOnly();
    }

    @Override
    public void deregister(String service, String id) {
        throw readOnly();
    }

    private StoreException readOnly() {
        return new StoreException("zone " + zone + " is read-only (" + settings.keys() + "mode=read-only): its records "
                + "are maintained elsewhere, so Hotline cannot register, renew or deregister there; to register, set "
                + settings.keys() + "mode=read-write with a TSIG key the name server grants updates to");
    }

    @Override
    public Listing list(String service, Zone within) {
        Name name = srvName(service, within);
        long now = nanos.getAsLong();
        Cached c = cache.get(name);
        if (c == null || now - c.until() >= 0) {
            c = lookup(name, now);
            cache.put(name, c);
        }
        List<EndpointStatus> statuses = new ArrayList<>();
        for (SRVRecord srv : c.records()) {
            String target = srv.getTarget().toString(true);
            try {
                Endpoint e = Endpoint.builder(service).id(target + ":" + srv.getPort()).host(target)
                        .server(srv.getTarget().labels() > 1 ? srv.getTarget().getLabelString(0) : target)
                        .port(srv.getPort()).priority(srv.getPriority()).weight(srv.getWeight()).zone(within).build();
                statuses.add(new EndpointStatus(e, Health.PASSING));
            } catch (IllegalArgumentException e) {
                LOG.warn("skipping an SRV record of {} in {}: its target is not a host Hotline can call", service, zone);
            }
        }
        return new Listing(statuses, Duration.ofNanos(Math.max(0, c.until() - now)));
    }

    private Cached lookup(Name name, long now) {
        Message response = server.query(name, Type.SRV);
        List<SRVRecord> records = new ArrayList<>();
        long ttl = settings.ttl().toSeconds();
        for (Record r : response.getSection(Section.ANSWER)) {
            if (r instanceof SRVRecord srv && r.getName().equals(name)) {
                records.add(srv);
                ttl = Math.min(ttl, r.getTTL());
            }
        }
        // A TTL of 0 (as some registries' DNS interfaces give) still holds the answer for a moment, so that a burst of
        // lookups is one query.
        long holdNanos = Math.max(Duration.ofSeconds(ttl).toNanos(), Duration.ofMillis(100).toNanos());
        return new Cached(List.copyOf(records), now + holdNanos);
    }

    private Name srvName(String service, Zone within) {
        String text = settings.srvName().replace("{service}", DnsNames.serviceLabel(service))
                .replace("{zone}", names.zoneDomain(within).toString());
        try {
            return Name.fromString(text.endsWith(".") ? text : text + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException("service " + service + " in zone " + within + " makes no DNS name with "
                    + settings.keys() + "srv-name: " + e.getMessage(), e);
        }
    }

    @Override
    public void keepCurrent(Duration idle) {
        // Answers are kept for their TTL and asked again when read: nothing to keep current.
    }

    @Override
    public Set<Zone> zones() {
        return Set.of();
    }

    @Override
    public void close() {
        cache.clear();
    }
}

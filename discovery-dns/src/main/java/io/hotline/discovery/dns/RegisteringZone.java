package io.hotline.discovery.dns;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.Zone;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

/**
 * A zone Hotline registers in: every registration is one signed RFC 2136 update (so a reader never sees half of one,
 * and one that timed out and is sent again changes nothing more), renewals rewrite the lease on the condition that
 * the registration is still there, and a reaper removes registrations whose lease ran past deregister-after, on the
 * condition that the lease is still the value it judged.
 */
final class RegisteringZone implements ZoneSite {

    private static final Logger LOG = LoggerFactory.getLogger(RegisteringZone.class);
    /** Room left in a 64 KiB TCP message for the TSIG record and headers. */
    private static final int MAX_UPDATE = 65_535 - 512;
    private static final Pattern TURN = Pattern.compile("owner=([0-9a-f-]{36}) seq=(\\d{1,18})");
    /** A reaper that has not taken its turn for this many intervals is gone; another takes over. */
    private static final int TURNS_BEFORE_TAKEOVER = 3;
    /** How long no browse pointer of a service is sent after the server refused one. */
    private static final Duration BROWSE_RETRY = Duration.ofMinutes(1);
    /** A lease is stamped in whole milliseconds, so a reader may judge it up to 1 ms older than it is. */
    private static final long STAMP_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Zone zone;
    private final DnsSettings settings;
    private final NameServer server;
    private final DnsNames names;
    private final Clock clock;
    private final LongSupplier nanos;
    private final Name zoneDomain;
    /** Where each registration made here went, and its policy: renewals name only the service and id. */
    private final Map<String, Registered> registered = new ConcurrentHashMap<>();
    private final String owner = UUID.randomUUID().toString();
    /** Services whose browse pointers the server refused, and this process's {@code nanoTime} of the last refusal. */
    private final Map<Name, Long> browseRefusedAt = new ConcurrentHashMap<>();
    private volatile ZoneReplica replica;
    private String lastTurn;
    private long lastTurnSeenAt;

    /**
     * A registration as this process knows it.
     *
     * @param renewedAt this process's {@code nanoTime} just before it stamped the lease it wrote last (less
     *     {@link #STAMP_SLACK_NANOS}), or of the lease it was found with. Readers age a lease from its stamp, so this
     *     process must too: counting from the server's answer instead, it held registrations for one round trip
     *     (about 2 ms) after its own list had dropped them, and renewed them (DnsTckIT's "critical is listed until
     *     deregister-after, then gone" failed about one time in five)
     */
    private record Registered(Name instance, Name service, Name address, HealthPolicy policy, long renewedAt) {

        Registered renewed(long now) {
            return new Registered(instance, service, address, policy, now);
        }

        boolean expired(long now) {
            return now - renewedAt >= policy.deregisterAfter().toNanos();
        }
    }

    RegisteringZone(Zone zone, DnsSettings settings, Clock clock, LongSupplier nanos) {
        this.zone = zone;
        this.settings = settings;
        this.server = new NameServer(settings);
        this.names = new DnsNames(settings.domain());
        this.clock = clock;
        this.nanos = nanos;
        this.zoneDomain = names.zoneDomain(zone);
    }

    @Override
    public Zone zone() {
        return zone;
    }

    @Override
    public DnsSettings settings() {
        return settings;
    }

    /** The replica of the DNS zone holding this zone's names, made once the server has said which zone that is. */
    private ZoneReplica replica() {
        ZoneReplica r = replica;
        if (r == null) {
            synchronized (this) {
                r = replica;
                if (r == null) {
                    r = new ZoneReplica(server, server.apexOf(zoneDomain), names, clock, nanos);
                    replica = r;
                }
            }
        }
        return r;
    }

    @Override
    public void register(Endpoint e, HealthPolicy policy) {
        Name instance = names.instanceName(e.service(), e.id(), e.zone());
        Name service = names.serviceName(e.service(), e.zone());
        Name address = names.addressName(e.service(), e.id(), e.zone());
        long ttl = settings.ttl().toSeconds();
        Update u = new Update(replica().apex());
        Registered before = registered.get(key(e.service(), e.id()));
        if (before != null && !before.instance().equals(instance)) {
            // Registered here before in another zone, whose names differ: the replacement removes that one.
            removeIn(u, before);
        }
        u.delete(instance);
        u.delete(DnsNames.leaseName(instance));
        u.delete(address);
        for (Record r : EndpointRecords.of(e, instance, address, ttl)) {
            u.add(r);
        }
        long stampedAt = nanos.getAsLong() - STAMP_SLACK_NANOS;
        u.add(leaseRecord(instance, Lease.fresh(policy, clock.instant())));
        int size = u.toWire().length;
        if (size > MAX_UPDATE) {
            throw new IllegalArgumentException("endpoint " + e.id() + " of " + e.service() + " takes " + size
                    + " octets in DNS, more than the " + MAX_UPDATE + " one signed update carries; shorten its metadata");
        }
        server.update(u);
        registered.put(key(e.service(), e.id()), new Registered(instance, service, address, policy, stampedAt));
        addBrowsePointer(service, instance);
    }

    /**
     * The DNS-SD browse pointer from the service name, for other DNS-SD clients (Hotline's readers transfer the zone
     * instead). It is sent apart from the registration, which must not fail for it: all of a service's pointers make
     * one RRset, which holds about a thousand (one RRset fits one 64 KB message) and, in BIND 9.18, 100 unless
     * {@code max-records-per-type} is 0. Once the server refused one, none is sent for that service for
     * {@link #BROWSE_RETRY}, since a refused update still costs a round trip and the server's checks
     * (DnsStoreBenchmark: named spent about a fifth less CPU on 10,000 registrations without the 9,900 refused
     * pointers); after that the next registration tries again, in case deregistrations freed room.
     */
    private void addBrowsePointer(Name service, Name instance) {
        Long refused = browseRefusedAt.get(service);
        if (refused != null && nanos.getAsLong() - refused < BROWSE_RETRY.toNanos()) {
            return;
        }
        Update u = new Update(replica().apex());
        u.add(new PTRRecord(service, DClass.IN, settings.ttl().toSeconds(), instance));
        try {
            server.update(u);
        } catch (StoreException e) {
            if (browseRefusedAt.put(service, nanos.getAsLong()) == null) {
                LOG.info("the name server refuses more DNS-SD browse pointers at {} ({}); registrations go on without "
                        + "them (none is tried for a minute after each refusal), and Hotline's readers do not need "
                        + "them. For the full list in DNS-SD browsers, raise max-records-per-type in named.conf (0 for "
                        + "no limit)", service, e.getMessage());
            }
        }
    }

    @Override
    public boolean renew(String service, String id) {
        Optional<Registered> r = find(service, id);
        long now = nanos.getAsLong();  // also the new lease's stamp: see register
        if (r.isEmpty()) {
            return false;
        }
        if (r.get().expired(now) || listedAsExpired(r.get().instance(), now)) {
            // Readers no longer list it and the reaper may remove it any moment: it is gone, and a renewal must not
            // bring it back half-way. Removed here so that everyone agrees; the heartbeater registers it again.
            registered.remove(key(service, id));
            server.update(removal(r.get(), null));
            return false;
        }
        Name instance = r.get().instance();
        Update u = new Update(replica().apex());
        u.present(instance, Type.SRV);
        u.delete(DnsNames.leaseName(instance), Type.TXT);
        u.add(leaseRecord(instance, Lease.fresh(r.get().policy(), clock.instant())));
        if (server.update(u) == NameServer.Outcome.PREREQUISITE_FAILED) {
            registered.remove(key(service, id));
            return false;
        }
        // now was taken before the lease was stamped.
        registered.put(key(service, id), r.get().renewed(now - STAMP_SLACK_NANOS));
        return true;
    }

    @Override
    public void deregister(String service, String id) {
        Optional<Registered> r = find(service, id);
        registered.remove(key(service, id));
        if (r.isPresent()) {
            server.update(removal(r.get(), null));
        }
    }

    /** Whether this store's own reading already stopped listing the registration (its lease past deregister-after). */
    private boolean listedAsExpired(Name instance, long now) {
        ZoneReplica r = replica;
        return r != null && r.last(instance)
                .filter(i -> i.age(now).compareTo(i.parsed().policy().deregisterAfter()) >= 0).isPresent();
    }

    /**
     * A registration made here, or else one the zone holds (made by another process, or by this one before a
     * restart): its policy is in its lease.
     */
    private Optional<Registered> find(String service, String id) {
        Registered mine = registered.get(key(service, id));
        if (mine != null) {
            return Optional.of(mine);
        }
        ZoneReplica r = replica();
        for (ZoneReplica.Instance i : r.refresh()) {
            Endpoint e = i.endpoint();
            if (e.service().equals(service) && e.id().equals(id)) {
                return Optional.of(registered(i, r.nanoNow()));
            }
        }
        return Optional.empty();
    }

    /** A registration found in the zone, renewed as long ago as its lease's age says. */
    private Registered registered(ZoneReplica.Instance i, long now) {
        Endpoint e = i.endpoint();
        return new Registered(i.name(), names.serviceName(e.service(), e.zone()),
                names.addressName(e.service(), e.id(), e.zone()), i.parsed().policy(), now - i.age(now).toNanos());
    }

    /** Removes a registration; with {@code ifLease}, only while its lease is still that value. */
    private Update removal(Registered r, TXTRecord ifLease) {
        Update u = new Update(replica().apex());
        if (ifLease != null) {
            u.present(prerequisite(ifLease));
        }
        removeIn(u, r);
        return u;
    }

    private static void removeIn(Update u, Registered r) {
        u.delete(r.instance());
        u.delete(DnsNames.leaseName(r.instance()));
        u.delete(r.address());
        u.delete(new PTRRecord(r.service(), DClass.IN, 0, r.instance()));
    }

    @Override
    public Listing list(String service, Zone within) {
        List<ZoneReplica.Instance> all = replica().refresh();
        long now = replica().nanoNow();
        List<EndpointStatus> statuses = new ArrayList<>();
        Duration next = null;
        for (ZoneReplica.Instance i : all) {
            Endpoint e = i.endpoint();
            if (!e.service().equals(service) || !e.zone().isWithin(within)) {
                continue;
            }
            Duration age = i.age(now);
            HealthPolicy p = i.parsed().policy();
            if (age.compareTo(p.deregisterAfter()) >= 0) {
                continue;
            }
            boolean passing = age.compareTo(p.downAfter()) < 0;
            statuses.add(new EndpointStatus(e, passing ? Health.PASSING : Health.CRITICAL));
            Duration left = (passing ? p.downAfter() : p.deregisterAfter()).minus(age);
            next = next == null || left.compareTo(next) < 0 ? left : next;
        }
        return new Listing(statuses, next);
    }

    @Override
    public void keepCurrent(Duration idle) {
        ZoneReplica r = replica;
        if (r != null) {
            r.keepCurrent(idle);
        }
    }

    @Override
    public Set<Zone> zones() {
        ZoneReplica r = replica;
        return r == null ? Set.of() : r.zones();
    }

    /**
     * Takes the reaper's turn if it is this process's and removes registrations past deregister-after; one process
     * of the zone does this per interval, however many read.
     *
     * @return how many registrations it removed
     */
    synchronized int reapIfOurTurn() {
        if (!takeTurn()) {
            return 0;
        }
        int removed = 0;
        ZoneReplica r = replica();
        long now = r.nanoNow();
        for (ZoneReplica.Instance i : r.refresh()) {
            if (i.unchangedFor(now).compareTo(i.parsed().policy().deregisterAfter()) < 0) {
                continue;
            }
            Update u = removal(registered(i, now), i.lease());
            if (server.update(u) == NameServer.Outcome.APPLIED) {
                removed++;
            }
        }
        return removed;
    }

    /** Compare-and-set on the turn record: keep it, take it when absent or left unchanged too long, else leave it. */
    private boolean takeTurn() {
        Name turnName = DnsNames.reaperName(replica().apex());
        Message m = server.query(turnName, Type.TXT);
        TXTRecord current = null;
        for (Record rec : m.getSection(Section.ANSWER)) {
            if (rec instanceof TXTRecord t && rec.getName().equals(turnName)) {
                current = t;
            }
        }
        long now = nanos.getAsLong();
        Update u = new Update(replica().apex());
        if (current == null) {
            u.absent(turnName, Type.TXT);
            u.add(turn(turnName, 0));
            return server.update(u) == NameServer.Outcome.APPLIED;
        }
        String text = current.getStringsAsByteArrays().isEmpty() ? ""
                : new String((byte[]) current.getStringsAsByteArrays().get(0), StandardCharsets.US_ASCII);
        Matcher turn = TURN.matcher(text);
        long seq = turn.matches() ? Long.parseLong(turn.group(2)) : 0;
        boolean ours = turn.matches() && turn.group(1).equals(owner);
        if (!ours) {
            if (!text.equals(lastTurn)) {
                lastTurn = text;
                lastTurnSeenAt = now;
                return false;
            }
            if (now - lastTurnSeenAt < settings.reapInterval().toNanos() * TURNS_BEFORE_TAKEOVER) {
                return false;
            }
        }
        u.present(prerequisite(current));
        u.delete(turnName, Type.TXT);
        u.add(turn(turnName, ours ? seq + 1 : 0));
        boolean taken = server.update(u) == NameServer.Outcome.APPLIED;
        if (taken && !ours) {
            LOG.info("this process reaps {} now: the reaper before it stopped taking its turn", zone);
        }
        return taken;
    }

    /** A value-dependent prerequisite: the record itself, with the TTL of zero RFC 2136 section 2.4.2 requires. */
    private static Record prerequisite(Record r) {
        return Record.newRecord(r.getName(), r.getType(), r.getDClass(), 0, r.rdataToWireCanonical());
    }

    private TXTRecord turn(Name turnName, long seq) {
        return new TXTRecord(turnName, DClass.IN, settings.ttl().toSeconds(), "owner=" + owner + " seq=" + seq);
    }

    private TXTRecord leaseRecord(Name instance, Lease lease) {
        return new TXTRecord(DnsNames.leaseName(instance), DClass.IN, settings.ttl().toSeconds(), lease.text());
    }

    private static String key(String service, String id) {
        return service + '\n' + id;
    }

    @Override
    public void close() {
        // The resolver holds no connection between requests.
    }
}

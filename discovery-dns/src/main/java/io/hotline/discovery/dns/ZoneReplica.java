package io.hotline.discovery.dns;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.Zone;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.ZoneTransferIn;

/**
 * A copy of one DNS zone kept current by serial: each {@link #refresh()} asks the SOA serial (one small query) and,
 * when it moved, transfers what changed since the serial it holds (IXFR, which BIND answers from its journal, or a
 * full AXFR when it cannot). Decoded endpoints and what this process has seen of their leases live here too.
 *
 * <p>Lease ages are judged on this process's clock, so that clock skew between hosts matters as little as it can. A
 * lease value that changed since this copy's previous refresh was written since that refresh, whatever its writer's
 * stamp says; a value seen for the first time at the first transfer is as old as its writer's stamp says. Either way
 * the stamp is believed at most down-after back and never into the future: another host's clock can make an endpoint
 * look critical or passing for a while, never gone. The reaper goes by how long this process itself has watched a
 * value unchanged ({@link Instance#unchangedFor}), which no other host's clock affects.
 */
final class ZoneReplica {

    private static final Logger LOG = LoggerFactory.getLogger(ZoneReplica.class);

    /**
     * One endpoint as this process sees it.
     *
     * @param name its instance name
     * @param endpoint the endpoint its records describe
     * @param lease its lease record
     * @param seenAt this process's {@code nanoTime} when the lease value was first seen
     * @param ageWhenSeen how old the lease was judged to be then
     */
    record Instance(Name name, Endpoint endpoint, TXTRecord lease, Lease parsed, long seenAt, Duration ageWhenSeen) {

        Duration age(long nanoNow) {
            return ageWhenSeen.plusNanos(nanoNow - seenAt);
        }

        Duration unchangedFor(long nanoNow) {
            return Duration.ofNanos(nanoNow - seenAt);
        }
    }

    private final NameServer server;
    private final Name apex;
    private final DnsNames names;
    private final Clock clock;
    private final LongSupplier nanos;
    /** Lists, not sets: dnsjava hashes a record by encoding it, and a zone of 10,000 endpoints has 40,000. */
    private final Map<Name, List<Record>> records = new HashMap<>();
    private final Map<Name, Instance> instances = new HashMap<>();
    private final Set<Name> reportedBad = new HashSet<>();
    private long serial = -1;
    /** When the copy was last brought up to date; meaningful once {@code serial} is set. */
    private long refreshedAt;
    private volatile long readAt;
    private volatile List<Instance> view = List.of();

    ZoneReplica(NameServer server, Name apex, DnsNames names, Clock clock, LongSupplier nanos) {
        this.server = server;
        this.apex = apex;
        this.names = names;
        this.clock = clock;
        this.nanos = nanos;
        this.readAt = nanos.getAsLong();
    }

    Name apex() {
        return apex;
    }

    /** Brings the copy up to the server's serial and returns every decoded endpoint. */
    List<Instance> refresh() {
        readAt = nanos.getAsLong();
        return update();
    }

    /**
     * Refreshes if this copy was read within {@code idle}, so that a reader that lists now and then still sees each
     * renewal soon after it happened and judges its age by its own clock.
     */
    void keepCurrent(Duration idle) {
        if (serial >= 0 && nanos.getAsLong() - readAt < idle.toNanos()) {
            update();
        }
    }

    private synchronized List<Instance> update() {
        long current = server.serial(apex);
        if (current != serial) {
            // A serial that went back means the zone was reloaded from an older file or recreated: what changed since
            // ours cannot be asked for, so take it all again.
            NameServer.Transfer t = server.transfer(apex, current > serial ? serial : -1);
            if (t.full() == null && t.deltas().isEmpty()) {
                t = server.transfer(apex, -1);
            }
            Set<Name> touched = new HashSet<>();
            if (t.full() != null) {
                touched.addAll(records.keySet());
                touched.addAll(instances.keySet());
                records.clear();
                for (Record r : t.full()) {
                    add(r, touched);
                }
            } else {
                for (ZoneTransferIn.Delta d : t.deltas()) {
                    for (Object r : d.deletes) {
                        remove((Record) r, touched);
                    }
                    for (Object r : d.adds) {
                        add((Record) r, touched);
                    }
                }
            }
            boolean first = serial < 0;
            serial = t.serial() >= 0 ? t.serial() : current;
            decode(touched, first);
            view = List.copyOf(instances.values());
        }
        refreshedAt = nanos.getAsLong();
        return view;
    }

    /** The endpoint at an instance name as last seen, without asking the server. */
    synchronized Optional<Instance> last(Name instance) {
        return Optional.ofNullable(instances.get(instance));
    }

    long nanoNow() {
        return nanos.getAsLong();
    }

    private void add(Record r, Set<Name> touched) {
        if (r instanceof SOARecord) {
            return;
        }
        List<Record> at = records.computeIfAbsent(r.getName(), n -> new ArrayList<>(2));
        if (!at.contains(r)) {
            at.add(r);
        }
        touched.add(r.getName());
    }

    private void remove(Record r, Set<Name> touched) {
        List<Record> set = records.get(r.getName());
        if (set != null && set.remove(r) && set.isEmpty()) {
            records.remove(r.getName());
        }
        touched.add(r.getName());
    }

    private void decode(Set<Name> touched, boolean first) {
        Set<Name> candidates = new HashSet<>();
        for (Name n : touched) {
            Name instance = DnsNames.instanceOfLease(n);
            Name candidate = instance != null ? instance : n;
            if (DnsNames.isInstanceName(candidate)) {
                candidates.add(candidate);
            }
        }
        long now = nanos.getAsLong();
        Instant wallNow = clock.instant();
        for (Name name : candidates) {
            Instance before = instances.remove(name);
            Instance after = decode(name, before, first, now, wallNow);
            if (after != null) {
                instances.put(name, after);
            }
        }
    }

    private Instance decode(Name name, Instance before, boolean first, long now, Instant wallNow) {
        List<Record> at = records.getOrDefault(name, List.of());
        List<Record> leaseSet = records.getOrDefault(DnsNames.leaseName(name), List.of());
        if (at.isEmpty() && leaseSet.isEmpty()) {
            reportedBad.remove(name);
            return null;
        }
        try {
            List<SRVRecord> srv = new ArrayList<>();
            List<TXTRecord> txt = new ArrayList<>();
            for (Record r : at) {
                if (r instanceof SRVRecord s) {
                    srv.add(s);
                } else if (r instanceof TXTRecord t) {
                    txt.add(t);
                } else {
                    throw new IllegalArgumentException("a record of a type Hotline does not write");
                }
            }
            if (srv.size() != 1 || txt.size() != 1 || leaseSet.size() != 1
                    || !(leaseSet.get(0) instanceof TXTRecord lease)) {
                throw new IllegalArgumentException("not exactly one SRV, one TXT and one lease");
            }
            Endpoint endpoint = EndpointRecords.decode(srv.get(0), txt.get(0));
            if (!names.isInstanceName(name, endpoint)) {
                throw new IllegalArgumentException("its name is not the one its service, id and zone make");
            }
            List<?> strings = lease.getStringsAsByteArrays();
            if (strings.size() != 1) {
                throw new IllegalArgumentException("a lease of several strings");
            }
            Lease parsed = Lease.parse(new String((byte[]) strings.get(0), StandardCharsets.US_ASCII));
            reportedBad.remove(name);
            if (before != null && before.lease().equals(lease)) {
                return new Instance(name, endpoint, lease, parsed, before.seenAt(), before.ageWhenSeen());
            }
            Duration age = Duration.between(parsed.at(), wallNow);
            age = age.isNegative() ? Duration.ZERO : min(age, parsed.policy().downAfter());
            if (!first) {
                age = min(age, Duration.ofNanos(now - refreshedAt));
            }
            return new Instance(name, endpoint, lease, parsed, now, age);
        } catch (IllegalArgumentException e) {
            if (reportedBad.add(name)) {
                LOG.warn("skipping records at {} in {}: they are not a Hotline registration ({}); this is logged "
                        + "once per name", DnsNames.hash(name.toString()), apex, e.getMessage());
            }
            return null;
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** The zones the held endpoints are in. */
    Set<Zone> zones() {
        Set<Zone> zones = new HashSet<>();
        for (Instance i : view) {
            zones.add(i.endpoint().zone());
        }
        return zones;
    }
}

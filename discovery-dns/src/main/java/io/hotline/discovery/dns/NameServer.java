package io.hotline.discovery.dns;

import io.hotline.discovery.StoreException;
import io.hotline.discovery.StoreUnavailableException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;
import org.xbill.DNS.ZoneTransferException;
import org.xbill.DNS.ZoneTransferIn;

/**
 * One name server as the store talks to it: queries, signed updates and zone transfers, over TCP (updates of a large
 * registration do not fit UDP, and TCP loses nothing under many concurrent lookups). dnsjava reports refusals through
 * response codes, not exceptions: every one is checked here and turned into an error that names the key to fix.
 */
final class NameServer {

    /** What an update's prerequisites made of it. */
    enum Outcome {
        APPLIED, PREREQUISITE_FAILED
    }

    /** A zone transfer's result: everything (AXFR), or what changed since a serial (IXFR), or nothing. */
    record Transfer(long serial, List<Record> full, List<ZoneTransferIn.Delta> deltas) {}

    private final DnsSettings settings;
    private final SimpleResolver resolver;

    NameServer(DnsSettings settings) {
        this.settings = settings;
        this.resolver = new SimpleResolver(settings.server());
        resolver.setTCP(true);
        resolver.setTimeout(settings.timeout());
        settings.tsig().ifPresent(k -> resolver.setTSIGKey(k.tsig()));
    }

    DnsSettings settings() {
        return settings;
    }

    /**
     * The zone (SOA owner) the server holds {@code name} in: the answer's SOA for an apex, else the authority section's.
     *
     * @throws IllegalArgumentException if the server is not authoritative for {@code name}
     */
    Name apexOf(Name name) {
        Message response = query(name, Type.SOA);
        int rcode = response.getRcode();
        if (rcode == Rcode.NOERROR || rcode == Rcode.NXDOMAIN) {
            for (int section : new int[] {Section.ANSWER, Section.AUTHORITY}) {
                for (Record r : response.getSection(section)) {
                    if (r instanceof SOARecord && name.subdomain(r.getName())) {
                        return r.getName();
                    }
                }
            }
        }
        throw new IllegalArgumentException("the name server " + where() + " does not serve " + name + " (it answered "
                + Rcode.string(rcode) + " with no SOA); give it a zone containing " + name + ", or point "
                + settings.keys() + "server at the server that has one");
    }

    /** The zone's SOA serial. */
    long serial(Name apex) {
        Message response = query(apex, Type.SOA);
        for (Record r : response.getSection(Section.ANSWER)) {
            if (r instanceof SOARecord soa && r.getName().equals(apex)) {
                return soa.getSerial();
            }
        }
        throw new StoreUnavailableException("the name server " + where() + " no longer serves " + apex + " (it "
                + "answered " + Rcode.string(response.getRcode()) + " to the SOA query)");
    }

    /** A query answered NOERROR or NXDOMAIN; anything else is an error. */
    Message query(Name name, int type) {
        Message query = Message.newQuery(Record.newRecord(name, type, DClass.IN));
        Message response = send(query);
        int rcode = response.getRcode();
        if (rcode == Rcode.NOERROR || rcode == Rcode.NXDOMAIN) {
            return response;
        }
        if (rcode == Rcode.REFUSED || rcode == Rcode.NOTAUTH) {
            throw refusal("a query for " + name, rcode, response);
        }
        throw new StoreUnavailableException("the name server " + where() + " answered " + Rcode.string(rcode)
                + " to a query for " + name);
    }

    /**
     * Sends a signed update.
     *
     * @return whether it was applied or its prerequisites did not hold
     * @throws StoreException if the server refuses it (no key, a key without the grant, a wrong secret)
     */
    Outcome update(Update update) {
        Message response = send(update);
        int rcode = response.getRcode();
        return switch (rcode) {
            case Rcode.NOERROR -> Outcome.APPLIED;
            case Rcode.NXRRSET, Rcode.YXRRSET, Rcode.NXDOMAIN, Rcode.YXDOMAIN -> Outcome.PREREQUISITE_FAILED;
            case Rcode.REFUSED, Rcode.NOTAUTH, Rcode.NOTZONE -> throw refusal("an update", rcode, response);
            default -> throw new StoreUnavailableException("the name server " + where() + " answered "
                    + Rcode.string(rcode) + " to an update");
        };
    }

    /** Everything in the zone (AXFR) if {@code fromSerial} is negative, else what changed since it (IXFR). */
    Transfer transfer(Name apex, long fromSerial) {
        ZoneTransferIn xfr = fromSerial < 0
                ? ZoneTransferIn.newAXFR(apex, settings.server(), settings.tsig().map(DnsSettings.TsigKey::tsig)
                        .orElse(null))
                : ZoneTransferIn.newIXFR(apex, fromSerial, true, settings.server(), settings.tsig()
                        .map(DnsSettings.TsigKey::tsig).orElse(null));
        xfr.setTimeout(settings.timeout());
        try {
            xfr.run();
        } catch (ZoneTransferException e) {
            throw new StoreException("the name server " + where() + " refused a transfer of " + apex + " ("
                    + e.getMessage() + "); allow transfers of the zone to " + settings.tsig().map(k -> "the key "
                    + k.name()).orElse("this host") + " (allow-transfer in named.conf)");
        } catch (IOException e) {
            throw new StoreUnavailableException("cannot transfer " + apex + " from " + where() + ": " + e, e);
        }
        if (xfr.isCurrent()) {
            return new Transfer(fromSerial, List.of(), List.of());
        }
        if (xfr.isAXFR()) {
            List<Record> records = xfr.getAXFR();
            long serial = records.isEmpty() || !(records.get(0) instanceof SOARecord soa) ? fromSerial : soa.getSerial();
            return new Transfer(serial, records, null);
        }
        List<ZoneTransferIn.Delta> deltas = xfr.getIXFR();
        long serial = deltas.isEmpty() ? fromSerial : deltas.get(deltas.size() - 1).end;
        return new Transfer(serial, null, deltas);
    }

    private Message send(Message message) {
        Message response;
        try {
            response = exchange(message);
        } catch (IOException e) {
            throw new StoreUnavailableException("the name server " + where() + " does not answer: " + e.getMessage(),
                    e);
        }
        if (settings.tsig().isPresent() && response.getRcode() == Rcode.NOERROR && !response.isVerified()) {
            throw new StoreException("the answer of the name server " + where() + " is not signed with "
                    + settings.tsig().get() + " or its signature does not verify; check " + settings.keys()
                    + "tsig-secret (or tsig-secret-file) against the server's key");
        }
        return response;
    }

    /**
     * {@code resolver.send(message)}, but with dnsjava's handling of the answer (parsing it, checking its signature)
     * run on the thread that received it: {@code send} hands that to the common pool, and on a machine with two cores
     * or fewer CompletableFuture runs such tasks on a new thread each (its fallback when the pool's parallelism is 1).
     * DnsStoreBenchmark saw two threads started per update, and 10,000 registrations took twice as long as without.
     */
    private Message exchange(Message message) throws IOException {
        try {
            return resolver.sendAsync(message, Runnable::run).toCompletableFuture()
                    .get(settings.timeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (TimeoutException e) {
            throw new SocketTimeoutException("no answer within " + settings.timeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the answer");
        }
    }

    /** A refusal in words: which key to fix, never the secret. */
    private StoreException refusal(String what, int rcode, Message response) {
        TSIGRecord tsig = response.getTSIG();
        int tsigError = tsig == null ? Rcode.NOERROR : tsig.getError();
        String why;
        if (tsigError == Rcode.BADSIG || tsigError == Rcode.BADKEY || rcode == Rcode.NOTAUTH) {
            why = "it does not accept the TSIG key " + settings.tsig().map(Object::toString).orElse("(none)") + " ("
                    + Rcode.TSIGstring(tsigError == 0 ? rcode : tsigError) + "): check " + settings.keys()
                    + "tsig-key-name, " + settings.keys() + "tsig-algorithm and " + settings.keys() + "tsig-secret (or "
                    + settings.keys() + "tsig-secret-file) against the server's key";
        } else if (settings.tsig().isEmpty()) {
            why = "it refuses unsigned requests (" + Rcode.string(rcode) + "): set " + settings.keys()
                    + "tsig-key-name and tsig-secret to a key it grants updates to";
        } else {
            why = "it refuses the key " + settings.tsig().get() + " or the records (" + Rcode.string(rcode) + "): grant "
                    + "the key updates of the zone (update-policy { grant KEY zonesub ANY; }) or set " + settings.keys()
                    + "tsig-key-name to a key that has the grant; if it has, the server's log names the check the "
                    + "records failed";
        }
        return new StoreException("the name server " + where() + " refused " + what + ": " + why);
    }

    private String where() {
        return settings.server().getHostString() + ":" + settings.server().getPort();
    }
}

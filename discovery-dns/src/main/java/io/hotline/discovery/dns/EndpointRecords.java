package io.hotline.discovery.dns;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.Zone;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Address;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;

/**
 * The records of one endpoint (DNS-SD, RFC 6763): at its instance name an SRV (priority, weight, port, target) and a
 * TXT of {@code key=value} strings holding every field, so that nothing is lost to DNS's case-blind names or label
 * limits; an A or AAAA record at its address name when the host is an IP address, so that the SRV target resolves. The
 * lease is written beside them (see {@link Lease}), and the DNS-SD browse pointer apart (see {@link RegisteringZone}).
 */
final class EndpointRecords {

    static final String TXT_VERSION = "1";
    private static final String META = "m.";
    private static final Pattern HOST_NAME =
            Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");

    private EndpointRecords() {}

    /**
     * The SRV and TXT records at the instance name and the address record at {@code address} when the host is an IP
     * address; the SRV's target is the host when it is a host name, else {@code address}.
     */
    static List<Record> of(Endpoint e, Name instance, Name address, long ttl) {
        List<Record> records = new ArrayList<>();
        InetAddress ip = ipLiteral(e.host());
        Name target = ip != null ? address : hostName(e.host(), address);
        records.add(new SRVRecord(instance, DClass.IN, ttl, e.priority(), e.weight(), e.port(), target));
        records.add(new TXTRecord(instance, DClass.IN, ttl, TxtStrings.encode(entries(e))));
        if (ip != null) {
            records.add(ip.getAddress().length == 4 ? new ARecord(address, DClass.IN, ttl, ip)
                    : new AAAARecord(address, DClass.IN, ttl, ip));
        }
        return records;
    }

    /** The TXT entries of an endpoint, in a fixed order. */
    static Map<String, String> entries(Endpoint e) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("txtvers", TXT_VERSION);
        m.put("service", e.service());
        m.put("id", e.id());
        m.put("server", e.server());
        m.put("host", e.host());
        m.put("scheme", e.scheme());
        m.put("zone", e.zone().path());
        e.metadata().forEach((k, v) -> m.put(META + k, v));
        return m;
    }

    /**
     * The endpoint an SRV and TXT record describe.
     *
     * @throws IllegalArgumentException if they are not a Hotline registration, in words that never quote them
     */
    static Endpoint decode(SRVRecord srv, TXTRecord txt) {
        @SuppressWarnings("unchecked")
        Map<String, String> m = TxtStrings.decode((List<byte[]>) txt.getStringsAsByteArrays());
        if (!TXT_VERSION.equals(m.get("txtvers"))) {
            throw new IllegalArgumentException("its TXT has no txtvers=" + TXT_VERSION);
        }
        try {
            Endpoint.Builder b = Endpoint.builder(required(m, "service")).id(required(m, "id"))
                    .server(required(m, "server")).host(required(m, "host")).scheme(required(m, "scheme"))
                    .zone(Zone.of(required(m, "zone"))).port(srv.getPort()).priority(srv.getPriority())
                    .weight(srv.getWeight());
            Map<String, String> metadata = new LinkedHashMap<>();
            m.forEach((k, v) -> {
                if (k.startsWith(META)) {
                    metadata.put(k.substring(META.length()), v);
                }
            });
            return b.metadata(metadata).build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("its fields do not make a valid endpoint");
        }
    }

    private static String required(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException("its TXT has no " + key);
        }
        return v;
    }

    /** The address of an IP literal host ({@code 10.0.0.7}, {@code ::1}, {@code [::1]}, {@code fe80::1%lo}), or null. */
    static InetAddress ipLiteral(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        int scope = h.indexOf('%');
        if (scope >= 0) {
            h = h.substring(0, scope);
        }
        if (Address.isDottedQuad(h)) {
            return address(h, Address.IPv4);
        }
        return h.indexOf(':') >= 0 ? address(h, Address.IPv6) : null;
    }

    private static InetAddress address(String literal, int family) {
        byte[] bytes = Address.toByteArray(literal, family);
        if (bytes == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    /** The host as an absolute DNS name if it is a host name name servers accept as an SRV target, else {@code other}. */
    private static Name hostName(String host, Name other) {
        if (!HOST_NAME.matcher(host).matches()) {
            return other;
        }
        try {
            return Name.fromString(host.endsWith(".") ? host : host + ".");
        } catch (TextParseException e) {
            return other;
        }
    }
}

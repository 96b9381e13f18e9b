package io.hotline.discovery.dns;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.Untrusted;
import io.hotline.discovery.Zone;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.TextParseException;

/**
 * Where Hotline's records live in DNS (DNS-SD, RFC 6763), under a base domain such as {@code rpc.example.}:
 *
 * <ul>
 *   <li>zone {@code region-one/az-1}: {@code az-1.region-one.rpc.example.} (segments reversed, each escaped);
 *   <li>service {@code nova.conductor} in it: {@code _nova_2econductor._hotline._tcp.az-1.region-one.rpc.example.};
 *   <li>an endpoint of it: {@code i-<hash of the id>.<service name>}, with its lease at {@code _lease.<instance name>},
 *       and, when its host is an IP address, an address record at {@link #addressName}.
 * </ul>
 *
 * <p>Escaping keeps names reversible and case exact, since DNS compares names without case but Hotline does not:
 * {@code a-z}, {@code 0-9} and {@code -} stay, every other character becomes {@code _} and two hex digits of its code
 * ({@code nova.Conductor} is {@code nova_2e_43onductor}). Ids (up to 255 characters) never fit in one 63-octet label,
 * so an instance is named by a hash of its id and its TXT record holds the id itself; a service whose escaped name is
 * longer than a label is named by a hash the same way.
 */
final class DnsNames {

    static final String SERVICE_SUFFIX = "_hotline._tcp";
    static final String LEASE_LABEL = "_lease";
    static final String REAPER_LABEL = "_reaper";
    private static final int MAX_LABEL = 63;
    private static final String BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

    private final Name domain;
    /** Service names by service and zone path, for {@link #isInstanceName}: a zone holds few of them. */
    private final Map<String, Name> serviceNames = new ConcurrentHashMap<>();

    DnsNames(Name domain) {
        if (!domain.isAbsolute()) {
            throw new IllegalArgumentException("domain " + domain + " must be absolute");
        }
        this.domain = domain;
    }

    Name domain() {
        return domain;
    }

    /** {@code az-1.region-one.<domain>} for {@code region-one/az-1}. */
    Name zoneDomain(Zone zone) {
        List<String> segments = zone.segments();
        StringBuilder b = new StringBuilder();
        for (int i = segments.size() - 1; i >= 0; i--) {
            String label = escape(segments.get(i));
            if (label.length() > MAX_LABEL) {
                throw new IllegalArgumentException("zone " + zone + " cannot be a DNS name: its segment '"
                        + segments.get(i) + "' is " + label.length() + " characters once escaped for DNS (upper case"
                        + " letters and '_' take 3 each), and a DNS label holds at most " + MAX_LABEL
                        + "; use a shorter segment, in lower case");
            }
            b.append(b.length() == 0 ? "" : ".").append(label);
        }
        return under(b.toString(), domain, () -> "zone " + zone);
    }

    /** {@code _<escaped service>._hotline._tcp.<zone domain>}. */
    Name serviceName(String service, Zone zone) {
        return under("_" + serviceLabel(service) + "." + SERVICE_SUFFIX, zoneDomain(zone), () -> "service " + service
                + " in zone " + zone);
    }

    /** {@code i-<hash of id>.<service name>}. */
    Name instanceName(String service, String id, Zone zone) {
        return under("i-" + hash(id), serviceName(service, zone), () -> "endpoint " + id + " of " + service);
    }

    /**
     * {@code a-<hash of service and id>.<zone domain>}: where an endpoint's address records live when its host is an IP
     * address, the SRV target then. It is a host name (no {@code _} label), as name servers check SRV targets to be.
     */
    Name addressName(String service, String id, Zone zone) {
        return under("a-" + hash(service + "\n" + id), zoneDomain(zone), () -> "endpoint " + id + " of " + service);
    }

    /** Whether {@code name} is the instance name of {@code e}; cheaper than making that name, for reading many. */
    boolean isInstanceName(Name name, Endpoint e) {
        return name.labels() > 1 && name.getLabelString(0).equals("i-" + hash(e.id()))
                && serviceNames.computeIfAbsent(e.service() + '\n' + e.zone().path(),
                        k -> serviceName(e.service(), e.zone())).equals(new Name(name, 1));
    }

    /** Where the lease of an instance lives. */
    static Name leaseName(Name instance) {
        return child(LEASE_LABEL, instance);
    }

    /** The instance a lease name belongs to, or null if {@code name} is not a lease name. */
    static Name instanceOfLease(Name name) {
        if (name.labels() < 2 || !labelIs(name, 0, LEASE_LABEL, true, false)) {
            return null;
        }
        return new Name(name, 1);
    }

    /** True for an instance name under a Hotline service: {@code i-<hash>._<service>._hotline._tcp.<zone>}. */
    static boolean isInstanceName(Name name) {
        return name.labels() > 4 && labelIs(name, 0, "i-", false, false) && labelIs(name, 1, "_", false, false)
                && labelIs(name, 2, "_hotline", true, true) && labelIs(name, 3, "_tcp", true, true);
    }

    /**
     * Whether label {@code n} of {@code name} starts with the ASCII {@code text}, or is it when {@code whole}. Reads
     * the label's octets: {@link Name#getLabelString} escapes it character by character, which was about a fifth of
     * reading a zone of 10,000 endpoints (DnsStoreBenchmark).
     */
    private static boolean labelIs(Name name, int n, String text, boolean whole, boolean ignoreCase) {
        byte[] label = name.getLabel(n);
        int length = label[0] & 0xff;
        if (length < text.length() || whole && length != text.length()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = (char) (label[i + 1] & 0xff);
            char t = text.charAt(i);
            if (c != t && !(ignoreCase && Character.toLowerCase(c) == Character.toLowerCase(t))) {
                return false;
            }
        }
        return true;
    }

    /** {@code _reaper._hotline.<DNS zone>}: whose turn it is to reap the DNS zone, whichever Hotline zones it holds. */
    static Name reaperName(Name apex) {
        return under(REAPER_LABEL + "._hotline", apex, () -> "the reaper's name in " + apex);
    }

    /** The label of a service, without its leading {@code _}. */
    static String serviceLabel(String service) {
        String escaped = escape(service);
        // 62: the label also carries the leading '_'.
        return escaped.length() <= MAX_LABEL - 1 ? escaped : "h-" + hash(service);
    }

    /** The reversible escape of one label; see the class comment. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
                b.append(c);
            } else if (c < 0x80) {
                b.append('_').append(String.format(Locale.ROOT, "%02x", (int) c));
            } else {
                throw new IllegalArgumentException("'" + Untrusted.excerpt(s) + "' holds a non-ASCII character, which "
                        + "no Hotline name may");
            }
        }
        return b.toString();
    }

    /** Reverses {@link #escape}. */
    static String unescape(String label) {
        StringBuilder b = new StringBuilder(label.length());
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            if (c == '_' && i + 2 < label.length()) {
                b.append((char) Integer.parseInt(label.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** 26 base32 characters (130 bits) of the SHA-256 of {@code s}: collisions are out of reach. */
    static String hash(String s) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
        StringBuilder b = new StringBuilder(26);
        int buffer = 0;
        int bits = 0;
        for (int i = 0; b.length() < 26; i++) {
            buffer = buffer << 8 | digest[i] & 0xff;
            bits += 8;
            while (bits >= 5 && b.length() < 26) {
                b.append(BASE32.charAt(buffer >> bits - 5 & 31));
                bits -= 5;
            }
        }
        return b.toString();
    }

    private static Name child(String label, Name parent) {
        return under(label, parent, () -> label + "." + parent);
    }

    /** {@code what} names the name in an error; it is made only then, since printing a Name is slow. */
    private static Name under(String relative, Name parent, Supplier<String> what) {
        try {
            return Name.concatenate(Name.fromString(relative), parent);
        } catch (NameTooLongException e) {
            throw new IllegalArgumentException(what.get() + " cannot be a DNS name: under " + parent + " it is longer "
                    + "than the 255 octets a DNS name holds; use a shorter hotline.dns.domain, zone path or service "
                    + "name", e);
        } catch (TextParseException e) {
            throw new IllegalArgumentException(what.get() + " cannot be a DNS name: " + e.getMessage(), e);
        }
    }
}

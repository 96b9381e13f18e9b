package io.hotline.discovery.dns;

import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.config.RemoteZones;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xbill.DNS.Name;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TextParseException;

/**
 * How to reach the name server of one zone, read from {@code hotline.dns.*} (the home zone) or
 * {@code hotline.dns.remote.<alias>.*} (a federated zone's). Every value is checked here, so that a bad one is
 * reported at open with its key and source; the TSIG secret is never repeated.
 *
 * @param domain the base domain every zone's names hang under
 * @param server the name server's address
 * @param readOnly whether the zone is maintained by someone else: no writes, plain SRV records read
 * @param tsig the key that signs updates and transfers, if any
 * @param timeout one query, update or transfer
 * @param pollInterval how often a watch checks the zone's SOA serial
 * @param ttl the TTL written on records, for caches between resolvers
 * @param reapInterval how often a writing store checks whose turn it is to reap
 * @param srvName in read-only mode, where a service's SRV records are: {@code {service}} and {@code {zone}} are
 *     replaced by the escaped service label and the zone's domain
 * @param keys the prefix of the config keys these came from, so that a message names the key to fix
 */
record DnsSettings(Name domain, InetSocketAddress server, boolean readOnly, Optional<TsigKey> tsig, Duration timeout,
        Duration pollInterval, Duration ttl, Duration reapInterval, String srvName, String keys) {

    static final String PREFIX = "hotline.dns.";
    static final String DEFAULT_SRV_NAME = "_{service}." + DnsNames.SERVICE_SUFFIX + ".{zone}";

    private static final Pattern KEY_CLAUSE = Pattern.compile("secret\\s+\"([A-Za-z0-9+/=]+)\"\\s*;");
    private static final Duration MAX_DURATION = Duration.ofMinutes(10);
    private static final Set<String> ALGORITHMS = Set.of("hmac-sha256", "hmac-sha384", "hmac-sha512");

    /**
     * A TSIG key: its name, algorithm and secret. {@link #toString()} never shows the secret.
     */
    record TsigKey(Name name, String algorithm, byte[] secret) {
        TSIG tsig() {
            return new TSIG(TSIG.algorithmToName(algorithm), name, secret);
        }

        @Override
        public String toString() {
            return name + " (" + algorithm + ")";
        }
    }

    /** For messages, e.g. {@code 127.0.0.1:5353 signing with hotline-az1. (hmac-sha256)}; never the secret. */
    @Override
    public String toString() {
        return server.getHostString() + ":" + server.getPort() + (readOnly ? " read-only" : "")
                + tsig.map(k -> " signing with " + k).orElse("");
    }

    /** The home zone's settings. */
    static DnsSettings home(HotlineConfig config) {
        return read(config, PREFIX, null);
    }

    /**
     * The federated zones' name servers, by zone: {@code hotline.dns.remotes} lists aliases, and each alias's
     * {@code hotline.dns.remote.<alias>.zone} and the keys above under {@code hotline.dns.remote.<alias>.} describe one
     * (the domain, when not given, is the home one).
     */
    static Map<Zone, DnsSettings> remotes(HotlineConfig config, Zone home, DnsSettings homeSettings) {
        Map<Zone, DnsSettings> remotes = new LinkedHashMap<>();
        RemoteZones.read(config, PREFIX, home).forEach((zone, prefix) -> remotes.put(zone, read(config, prefix, homeSettings.domain())));
        return remotes;
    }

    private static DnsSettings read(HotlineConfig config, String p, Name defaultDomain) {
        Name domain = domain(config, p + "domain", defaultDomain);
        InetSocketAddress server = server(config, p + "server");
        String modeKey = p + "mode";
        boolean readOnly = switch (config.string(modeKey, "read-write").toLowerCase(Locale.ROOT)) {
            case "", "read-write" -> false;
            case "read-only" -> true;
            default -> throw config.invalid(modeKey, "is not a mode; use read-write (Hotline registers in the zone) or "
                    + "read-only (the zone is maintained by someone else)");
        };
        Optional<TsigKey> tsig = tsig(config, p);
        if (!readOnly && tsig.isEmpty()) {
            throw config.invalid(p + "tsig-key-name", "is missing; registering needs a TSIG key the name server grants "
                    + "updates to: set " + p + "tsig-key-name and " + p + "tsig-secret or " + p + "tsig-secret-file, or"
                    + " set " + modeKey + "=read-only to only read the zone");
        }
        Duration timeout = config.positiveDuration(p + "timeout", Duration.ofSeconds(2), MAX_DURATION);
        Duration poll = config.positiveDuration(p + "poll-interval", Duration.ofSeconds(1), MAX_DURATION);
        Duration ttl = config.duration(p + "ttl", Duration.ofSeconds(5));
        if (ttl.compareTo(Duration.ofDays(1)) > 0) {
            throw config.invalid(p + "ttl", "is longer than a day; caches would hold records long after they changed");
        }
        Duration reap = config.positiveDuration(p + "reap-interval", Duration.ofSeconds(10), MAX_DURATION);
        String srvName = config.string(p + "srv-name", DEFAULT_SRV_NAME);
        if (!srvName.contains("{service}")) {
            throw config.invalid(p + "srv-name", "does not contain {service}; write where a service's SRV records are, "
                    + "e.g. " + DEFAULT_SRV_NAME);
        }
        return new DnsSettings(domain, server, readOnly, tsig, timeout, poll, ttl, reap, srvName, p);
    }

    private static Name domain(HotlineConfig config, String key, Name defaultDomain) {
        Optional<String> raw = config.string(key).filter(s -> !s.isEmpty());
        if (raw.isEmpty()) {
            if (defaultDomain != null) {
                return defaultDomain;
            }
            throw config.invalid(key, "is missing; set the base domain Hotline's names go under, e.g. rpc.example.");
        }
        String text = raw.get().endsWith(".") ? raw.get() : raw.get() + ".";
        try {
            Name name = Name.fromString(text);
            if (name.labels() < 2 || !text.matches("[A-Za-z0-9_.-]+")) {
                throw config.invalid(key, "is not a domain; write one such as rpc.example.");
            }
            return name;
        } catch (TextParseException e) {
            throw config.invalid(key, "is not a domain (" + e.getMessage() + "); write one such as rpc.example.");
        }
    }

    private static InetSocketAddress server(HotlineConfig config, String key) {
        List<InetSocketAddress> given = config.addresses(key, 53);
        if (given.size() > 1) {
            throw config.invalid(key, "names " + given.size() + " servers; give the one name server (its primary) that "
                    + "takes this zone's updates");
        }
        InetSocketAddress a = given.isEmpty() ? InetSocketAddress.createUnresolved("127.0.0.1", 53) : given.get(0);
        return new InetSocketAddress(a.getHostString(), a.getPort());
    }

    private static Optional<TsigKey> tsig(HotlineConfig config, String p) {
        String nameKey = p + "tsig-key-name";
        String secretKey = p + "tsig-secret";
        String fileKey = p + "tsig-secret-file";
        String algorithmKey = p + "tsig-algorithm";
        Optional<String> name = config.string(nameKey).filter(s -> !s.isEmpty());
        Optional<String> secret = config.string(secretKey).filter(s -> !s.isEmpty());
        Optional<String> file = config.string(fileKey).filter(s -> !s.isEmpty());
        if (name.isEmpty()) {
            if (secret.isPresent() || file.isPresent()) {
                throw config.invalid(nameKey, "is missing while a TSIG secret is set; give the key's name as the name "
                        + "server knows it (the name in its key \"...\" { } clause)");
            }
            return Optional.empty();
        }
        if (secret.isPresent() == file.isPresent()) {
            throw config.invalid(secretKey, secret.isPresent() ? "and " + fileKey + " are both set; give one"
                    : "is missing; set " + secretKey + " (base64) or " + fileKey + " (a file only its owner can read)");
        }
        String algorithm = config.string(algorithmKey, "hmac-sha256").toLowerCase(Locale.ROOT);
        if (!ALGORITHMS.contains(algorithm)) {
            throw config.invalid(algorithmKey, "is not a TSIG algorithm Hotline signs with; use hmac-sha256 (the "
                    + "default), hmac-sha384 or hmac-sha512");
        }
        Name keyName;
        try {
            keyName = Name.fromString(name.get().endsWith(".") ? name.get() : name.get() + ".");
        } catch (TextParseException e) {
            throw config.invalid(nameKey, "is not a DNS name: " + e.getMessage());
        }
        String base64 = secret.isPresent() ? secret.get() : secretFromFile(config, fileKey);
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw config.invalid(secret.isPresent() ? secretKey : fileKey, "is not base64; give the secret as "
                    + "tsig-keygen prints it");
        }
        if (bytes.length < 16) {
            throw config.invalid(secret.isPresent() ? secretKey : fileKey, "holds a secret of " + bytes.length
                    + " bytes; use at least 16 (tsig-keygen -a " + algorithm + " makes a good one)");
        }
        return Optional.of(new TsigKey(keyName, algorithm, bytes));
    }

    /** The base64 secret of a file that holds it bare or as a BIND {@code key "..." { ... secret "..."; };} clause. */
    private static String secretFromFile(HotlineConfig config, String key) {
        Path file = Path.of(config.string(key).orElseThrow());
        String text;
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            Set<PosixFilePermission> others = EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                    PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);
            others.retainAll(perms);
            if (!others.isEmpty()) {
                throw config.invalid(key, "can be read or written by others than its owner; chmod 600 it");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (UnsupportedOperationException e) {
            throw config.invalid(key, "is on a file system without POSIX permissions; keep the secret on one that has "
                    + "them, readable only by its owner");
        } catch (IOException e) {
            throw config.invalid(key, "cannot be read: " + e.getClass().getSimpleName() + "; give the path of a file "
                    + "holding the base64 secret");
        }
        Matcher m = KEY_CLAUSE.matcher(text);
        if (m.find()) {
            return m.group(1);
        }
        String bare = text.strip();
        if (bare.isEmpty() || bare.contains("\n")) {
            throw config.invalid(key, "holds neither a base64 secret nor a BIND key clause with a secret \"...\"; line");
        }
        return bare;
    }


}

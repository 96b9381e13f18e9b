package io.hotline.discovery.consul;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.Untrusted;
import io.hotline.discovery.Zone;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.kiwiproject.consul.model.agent.ImmutableRegCheck;
import org.kiwiproject.consul.model.agent.ImmutableRegistration;
import org.kiwiproject.consul.model.agent.Registration;
import org.kiwiproject.consul.model.catalog.ImmutableServiceWeights;
import org.kiwiproject.consul.model.health.HealthCheck;
import org.kiwiproject.consul.model.health.ServiceHealth;

/**
 * How an {@link Endpoint} is written as a Consul service and read back. The service name is the Hotline service;
 * the service ID is {@code service:id} with each capital letter written as {@code ^} and its small letter
 * (Consul compares service names and IDs without regard to case, Hotline does not; a service name has no ':', and
 * neither holds '^'); address and port are the endpoint's; the rest goes into Meta: {@code hotline-id},
 * {@code hotline-server}, {@code hotline-zone} (the full path, deeper than the datacenter if the endpoint's zone is),
 * {@code hotline-scheme}, {@code hotline-priority} and {@code hotline-weight} (decimal; left out when they are the
 * defaults, 0 and 1, so that a Hotline of before priorities, which refuses Meta keys it does not know, still reads
 * every endpoint that does not use them; absent, they read as the defaults), and each metadata entry that fits
 * Consul's Meta under its key. The weight also goes into Consul's own {@code Weights.Passing}, for Consul's DNS
 * interface, which needs at least 1 there: so a weight of 0 is 1 there, and only Meta has the exact value.
 *
 * <p>Consul's Meta keys allow only letters, digits, '_' and '-', not starting with {@code consul-}, at most 64 pairs,
 * keys up to 128 characters and values up to 512 bytes. Hotline keys may also hold '.', so a key is written with '-'
 * as {@code -_} and '.' as {@code --}: {@code free_disk_gb} stays as it is, {@code hw.cpu-model} becomes
 * {@code hw--cpu-_model}. No written key can then start with {@code hotline-} followed by a letter, so the fields
 * above never collide with metadata. Entries the Meta cannot hold (longer, more, empty values, which the Consul
 * client drops) go into tags as {@code hotline-md:<key>=<value>}, which Consul does not limit, so every endpoint the
 * model accepts round-trips.
 */
final class ServiceRecord {

    static final String ID = "hotline-id";
    static final String SERVER = "hotline-server";
    static final String ZONE = "hotline-zone";
    static final String SCHEME = "hotline-scheme";
    static final String PRIORITY = "hotline-priority";
    static final String WEIGHT = "hotline-weight";
    /** The Meta keys of the endpoint's own fields; never a metadata key, which {@link #encodeKey} keeps apart. */
    private static final Set<String> FIELDS = Set.of(ID, SERVER, ZONE, SCHEME, PRIORITY, WEIGHT);
    /** A priority or weight as written: decimal digits, no sign; the model checks the range. */
    private static final Pattern NUMBER = Pattern.compile("[0-9]{1,5}");
    /** Consul's weight of a service in the warning state, its default; Hotline takes warning as not passing. */
    private static final int WARNING_WEIGHT = 1;
    /** The prefix of a tag holding one metadata entry that Meta cannot. */
    static final String METADATA_TAG = "hotline-md:";

    private static final int MAX_PAIRS = 64;
    private static final int MAX_KEY = 128;
    private static final int MAX_VALUE = 512;
    /** Consul refuses smaller values of DeregisterCriticalServiceAfter (it raises them, with a warning). */
    static final Duration MIN_DEREGISTER = Duration.ofMinutes(1);

    private ServiceRecord() {}

    /** The Consul service ID of a Hotline endpoint; distinct for ids and services that differ only in case. */
    static String consulId(String service, String id) {
        return foldCase(service) + ":" + foldCase(id);
    }

    /** Writes each capital letter as '^' and its small letter: unique even where case is ignored, and readable. */
    private static String foldCase(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                b.append('^').append((char) (c + ('a' - 'A')));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** The ID of the TTL check the heartbeater passes; what Consul names a service's only check. */
    static String ttlCheckId(String consulId) {
        return "service:" + consulId;
    }

    /**
     * The agent registration of {@code e}: a TTL check registered passing (Consul starts TTL checks critical
     * otherwise), removed {@code deregisterAfter} after it went critical (at least Consul's one minute), and an
     * HTTP check on {@code /readyz} every {@code httpInterval} unless that is null.
     *
     * @throws IllegalArgumentException if the metadata does not fit Consul's limits
     */
    static Registration registration(Endpoint e, Duration ttl, Duration criticalFor, Duration httpInterval) {
        Map<String, String> meta = meta(e);
        List<String> tags = tags(e, meta);
        String cid = consulId(e.service(), e.id());
        Duration deregister = criticalFor.compareTo(MIN_DEREGISTER) < 0 ? MIN_DEREGISTER : criticalFor;
        ImmutableRegistration.Builder b = ImmutableRegistration.builder()
                .name(e.service())
                .id(cid)
                .address(e.host())
                .port(e.port())
                .meta(meta)
                .tags(tags)
                .serviceWeights(ImmutableServiceWeights.builder().passing(Math.max(1, e.weight()))
                        .warning(WARNING_WEIGHT).build())
                .addChecks(ImmutableRegCheck.builder()
                        .id(ttlCheckId(cid))
                        .name("hotline heartbeat")
                        .ttl(go(ttl))
                        .status("passing")
                        .deregisterCriticalServiceAfter(go(deregister))
                        .build());
        if (httpInterval != null) {
            String host = e.host().contains(":") && !e.host().startsWith("[") ? "[" + e.host() + "]" : e.host();
            b.addChecks(ImmutableRegCheck.builder()
                    .id(ttlCheckId(cid) + ":readyz")
                    .name("hotline /readyz")
                    .http(e.scheme() + "://" + host + ":" + e.port() + "/readyz")
                    .interval(go(httpInterval))
                    .timeout(go(httpInterval))
                    .status("passing")
                    .deregisterCriticalServiceAfter(go(deregister))
                    .build());
        }
        return b.build();
    }

    /** Consul's Go duration syntax, in milliseconds so that nothing is rounded. */
    static String go(Duration d) {
        return d.toMillis() + "ms";
    }

    /** The Meta of {@code e}: its fields, and the metadata entries that fit, in key order until the pairs run out. */
    static Map<String, String> meta(Endpoint e) {
        Map<String, String> fields = new HashMap<>();
        fields.put(ID, e.id());
        fields.put(SERVER, e.server());
        fields.put(ZONE, e.zone().path());
        fields.put(SCHEME, e.scheme());
        if (e.priority() != Endpoint.DEFAULT_PRIORITY) {
            fields.put(PRIORITY, Integer.toString(e.priority()));
        }
        if (e.weight() != Endpoint.DEFAULT_WEIGHT) {
            fields.put(WEIGHT, Integer.toString(e.weight()));
        }
        Map<String, String> meta = new HashMap<>();
        new TreeMap<>(e.metadata()).forEach((k, v) -> {
            if (meta.size() < MAX_PAIRS - fields.size() && fitsMeta(k, v)) {
                meta.put(encodeKey(k), v);
            }
        });
        meta.putAll(fields);
        return meta;
    }

    /** The tags of {@code e}: one for each metadata entry that {@code meta} could not hold. */
    static List<String> tags(Endpoint e, Map<String, String> meta) {
        List<String> tags = new ArrayList<>();
        new TreeMap<>(e.metadata()).forEach((k, v) -> {
            if (!v.equals(meta.get(encodeKey(k)))) {
                tags.add(METADATA_TAG + k + "=" + v);
            }
        });
        return tags;
    }

    private static boolean fitsMeta(String key, String value) {
        String encoded = encodeKey(key);
        return encoded.length() <= MAX_KEY && !encoded.startsWith("consul-") && !value.isEmpty()
                && value.getBytes(StandardCharsets.UTF_8).length <= MAX_VALUE;
    }

    /**
     * The endpoint and health of one entry of {@code /v1/health/service}: passing only when every check is (the
     * node's serfHealth included, so a dead agent's services are critical), as Consul's own {@code ?passing}.
     *
     * @throws IllegalArgumentException if the entry was not written by Hotline or is not valid, saying why
     */
    static EndpointStatus read(ServiceHealth entry, Zone datacenter) {
        var s = entry.getService();
        Map<String, String> meta = s.getMeta() == null ? Map.of() : s.getMeta();
        String id = required(meta, ID, s.getId());
        String zonePath = required(meta, ZONE, s.getId());
        Zone zone = Zone.of(zonePath);
        if (!zone.isWithin(datacenter)) {
            throw new IllegalArgumentException("service " + s.getId() + " says zone " + zonePath
                    + ", outside the datacenter's zone " + datacenter);
        }
        if (!consulId(s.getService(), id).equals(s.getId())) {
            throw new IllegalArgumentException("service ID " + s.getId() + " does not match its " + ID + " " + id);
        }
        Endpoint.Builder b = Endpoint.builder(s.getService())
                .id(id)
                .server(required(meta, SERVER, s.getId()))
                .scheme(required(meta, SCHEME, s.getId()))
                .host(s.getAddress())
                .port(s.getPort())
                .zone(zone)
                .priority(number(meta, PRIORITY, Endpoint.DEFAULT_PRIORITY, s.getId()))
                .weight(number(meta, WEIGHT, Endpoint.DEFAULT_WEIGHT, s.getId()));
        meta.forEach((k, v) -> {
            if (!FIELDS.contains(k)) {
                b.metadata(decodeKey(k), v);
            }
        });
        for (String tag : s.getTags() == null ? List.<String>of() : s.getTags()) {
            // Tags someone else added are theirs; only Hotline's carry metadata.
            int eq = tag.indexOf('=');
            if (tag.startsWith(METADATA_TAG) && eq > 0) {
                b.metadata(tag.substring(METADATA_TAG.length(), eq), tag.substring(eq + 1));
            }
        }
        Endpoint endpoint = b.build();
        boolean passing = !entry.getChecks().isEmpty();
        for (HealthCheck c : entry.getChecks()) {
            passing &= "passing".equals(c.getStatus());
        }
        return new EndpointStatus(endpoint, passing ? Health.PASSING : Health.CRITICAL);
    }

    private static String required(Map<String, String> meta, String key, String serviceId) {
        String v = meta.get(key);
        if (v == null) {
            throw new IllegalArgumentException("service " + serviceId + " has no Meta " + key
                    + " (not registered by Hotline)");
        }
        return v;
    }

    /** The number under {@code key}, or {@code absent} if there is none (written before Hotline had the field). */
    private static int number(Map<String, String> meta, String key, int absent, String serviceId) {
        String v = meta.get(key);
        if (v == null) {
            return absent;
        }
        if (!NUMBER.matcher(v).matches()) {
            throw new IllegalArgumentException("service " + serviceId + " has Meta " + key + " '"
                    + Untrusted.excerpt(v) + "', not a whole number 0-65535");
        }
        return Integer.parseInt(v);
    }

    static String encodeKey(String key) {
        return key.replace("-", "-_").replace(".", "--");
    }

    /**
     * The Hotline key of a Meta key.
     *
     * @throws IllegalArgumentException if {@code meta} is not one {@link #encodeKey} writes
     */
    static String decodeKey(String meta) {
        StringBuilder k = new StringBuilder(meta.length());
        for (int i = 0; i < meta.length(); i++) {
            char c = meta.charAt(i);
            if (c != '-') {
                k.append(c);
                continue;
            }
            char next = i + 1 < meta.length() ? meta.charAt(i + 1) : ' ';
            if (next == '_') {
                k.append('-');
            } else if (next == '-') {
                k.append('.');
            } else {
                throw new IllegalArgumentException("Meta key '" + meta + "' was not written by Hotline");
            }
            i++;
        }
        return k.toString();
    }
}

package io.hotline.discovery.consul;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.Zone;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.kiwiproject.consul.model.agent.ImmutableRegCheck;
import org.kiwiproject.consul.model.agent.ImmutableRegistration;
import org.kiwiproject.consul.model.agent.Registration;
import org.kiwiproject.consul.model.health.HealthCheck;
import org.kiwiproject.consul.model.health.ServiceHealth;

/**
 * How an {@link Endpoint} is written as a Consul service and read back. The service name is the Hotline service;
 * the service ID {@code service:id} (Hotline ids are unique per service, Consul's per agent, and a service name
 * has no ':'); address and port are the endpoint's; the rest goes into Meta: {@code hotline-id},
 * {@code hotline-server}, {@code hotline-zone} (the full path, deeper than the datacenter if the endpoint's zone
 * is), {@code hotline-scheme}, and each metadata entry under its key ({@code hotline-empty} lists those whose value is
 * empty).
 *
 * <p>Consul's Meta keys allow only letters, digits, '_' and '-', at most 64 pairs, keys up to 128 and values up to
 * 512 characters. Hotline keys may also hold '.', so a key is written with '-' as {@code -_} and '.' as
 * {@code --}: {@code free_disk_gb} stays as it is, {@code hw.cpu-model} becomes {@code hw--cpu-_model}. No
 * written key can then start with {@code hotline-} followed by a letter, so the fields above never collide
 * with metadata.
 */
final class ServiceRecord {

    static final String ID = "hotline-id";
    static final String SERVER = "hotline-server";
    static final String ZONE = "hotline-zone";
    static final String SCHEME = "hotline-scheme";
    /**
     * The metadata keys whose value is empty, comma-separated: the client serialises with Jackson's NON_EMPTY
     * inclusion, which drops empty strings inside the Meta map, so they would be lost on the way to Consul.
     */
    static final String EMPTY = "hotline-empty";
    private static final int RESERVED = 5;

    private static final int MAX_PAIRS = 64;
    private static final int MAX_KEY = 128;
    private static final int MAX_VALUE = 512;
    /** Consul refuses smaller values of DeregisterCriticalServiceAfter (it raises them, with a warning). */
    static final Duration MIN_DEREGISTER = Duration.ofMinutes(1);

    private ServiceRecord() {}

    /** The Consul service ID of a Hotline endpoint. */
    static String consulId(String service, String id) {
        return service + ":" + id;
    }

    /** The ID of the TTL check the heartbeater passes; what Consul names a service's only check. */
    static String ttlCheckId(String consulId) {
        return "service:" + consulId;
    }

    /**
     * The agent registration of {@code e}: a TTL check registered passing (Consul starts TTL checks critical
     * otherwise), removed {@code deregisterAfter} after it went critical (at least Consul's one minute), and an
     * HTTP check on {@code /healthz} every {@code httpInterval} unless that is null.
     *
     * @throws IllegalArgumentException if the metadata does not fit Consul's limits
     */
    static Registration registration(Endpoint e, Duration ttl, Duration criticalFor, Duration httpInterval) {
        Map<String, String> meta = meta(e);
        String cid = consulId(e.service(), e.id());
        Duration deregister = criticalFor.compareTo(MIN_DEREGISTER) < 0 ? MIN_DEREGISTER : criticalFor;
        ImmutableRegistration.Builder b = ImmutableRegistration.builder()
                .name(e.service())
                .id(cid)
                .address(e.host())
                .port(e.port())
                .meta(meta)
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
                    .id(ttlCheckId(cid) + ":healthz")
                    .name("hotline /healthz")
                    .http(e.scheme() + "://" + host + ":" + e.port() + "/healthz")
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

    static Map<String, String> meta(Endpoint e) {
        if (e.metadata().size() + RESERVED > MAX_PAIRS) {
            throw new IllegalArgumentException("endpoint " + e.id() + " of " + e.service() + " has "
                    + e.metadata().size() + " metadata entries; the consul store keeps at most "
                    + (MAX_PAIRS - RESERVED) + " (Consul allows " + MAX_PAIRS + " Meta pairs and Hotline uses "
                    + RESERVED + ")");
        }
        Map<String, String> meta = new HashMap<>();
        List<String> empty = new ArrayList<>();
        e.metadata().forEach((k, v) -> {
            String key = encodeKey(k);
            if (key.length() > MAX_KEY) {
                throw new IllegalArgumentException("metadata key '" + k + "' of endpoint " + e.id() + " is "
                        + key.length() + " characters as a Consul Meta key (each '.' and '-' takes two); at most "
                        + MAX_KEY + " are allowed");
            }
            if (v.length() > MAX_VALUE) {
                throw new IllegalArgumentException("metadata value for '" + k + "' of endpoint " + e.id() + " has "
                        + v.length() + " characters; Consul keeps at most " + MAX_VALUE);
            }
            if (v.isEmpty()) {
                empty.add(key);
            } else {
                meta.put(key, v);
            }
        });
        if (!empty.isEmpty()) {
            Collections.sort(empty);
            String list = String.join(",", empty);
            if (list.length() > MAX_VALUE) {
                throw new IllegalArgumentException("endpoint " + e.id() + " has " + empty.size() + " metadata entries"
                        + " with an empty value, too many for the consul store (their keys must fit in " + MAX_VALUE
                        + " characters)");
            }
            meta.put(EMPTY, list);
        }
        meta.put(ID, e.id());
        meta.put(SERVER, e.server());
        meta.put(ZONE, e.zone().path());
        meta.put(SCHEME, e.scheme());
        return meta;
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
                .zone(zone);
        meta.forEach((k, v) -> {
            if (k.equals(EMPTY)) {
                for (String key : v.split(",")) {
                    b.metadata(decodeKey(key), "");
                }
            } else if (!k.equals(ID) && !k.equals(SERVER) && !k.equals(ZONE) && !k.equals(SCHEME)) {
                b.metadata(decodeKey(k), v);
            }
        });
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

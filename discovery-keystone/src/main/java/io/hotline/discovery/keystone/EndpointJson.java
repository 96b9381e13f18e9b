package io.hotline.discovery.keystone;

import com.fasterxml.jackson.databind.JsonNode;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Zone;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Hotline endpoint as a Keystone endpoint: interface, {@code url} and {@code region_id} as Keystone has them, and
 * every field of the endpoint in the extra attribute {@code hotline} (Keystone keeps unknown top-level attributes), its
 * lease apart in {@code hotline_lease} so that a renewal PATCHes only that (Keystone merges top-level keys).
 */
final class EndpointJson {

    static final String FIELDS = "hotline";
    static final String LEASE = "hotline_lease";
    private static final int MAX_URL = 225;

    /** A decoded registration: the endpoint, its Keystone id, and its lease. */
    record Registration(String keystoneId, Endpoint endpoint, Instant renewed, HealthPolicy policy) {}

    private EndpointJson() {}

    /** The body of {@code POST /v3/endpoints}. */
    static Map<String, Object> create(Endpoint e, String serviceId, String endpointInterface, Instant now,
            HealthPolicy policy) {
        Map<String, Object> endpoint = new LinkedHashMap<>();
        endpoint.put("interface", endpointInterface);
        endpoint.put("service_id", serviceId);
        endpoint.put("region_id", Regions.id(e.zone()));
        // Keystone checks url against ^[a-zA-Z0-9+.-]+:.+ and 225 characters, and formats it with Python's % (for its
        // $(project_id)s templates), which fails on an IPv6 zone id's %. The fields hold the exact host in any case.
        String url = e.baseUri().replaceFirst("%[^\\]]*]", "]");
        endpoint.put("url", url.length() <= MAX_URL ? url : e.scheme() + "://host-in-hotline-attribute:" + e.port());
        endpoint.put("enabled", true);
        endpoint.put(FIELDS, fields(e));
        endpoint.put(LEASE, lease(now, policy));
        return Map.of("endpoint", endpoint);
    }

    /** The body of a renewal's {@code PATCH /v3/endpoints/{id}}. */
    static Map<String, Object> renewal(Instant now, HealthPolicy policy) {
        return Map.of("endpoint", Map.of(LEASE, lease(now, policy)));
    }

    private static Map<String, Object> fields(Endpoint e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("v", 1);
        m.put("service", e.service());
        m.put("id", e.id());
        m.put("server", e.server());
        m.put("host", e.host());
        m.put("port", e.port());
        m.put("scheme", e.scheme());
        m.put("zone", e.zone().path());
        m.put("priority", e.priority());
        m.put("weight", e.weight());
        m.put("metadata", e.metadata());
        return m;
    }

    private static Map<String, Object> lease(Instant now, HealthPolicy policy) {
        return Map.of("renewed", now.toEpochMilli(), "report", policy.reportInterval().toMillis(),
                "down", policy.downAfter().toMillis(), "dereg", policy.deregisterAfter().toMillis());
    }

    /** Whether a Keystone endpoint carries Hotline's attributes at all. */
    static boolean isHotline(JsonNode endpoint) {
        return endpoint.has(FIELDS);
    }

    /**
     * The registration a Keystone endpoint holds.
     *
     * @throws IllegalArgumentException if it is not one Hotline wrote, in words that never quote it
     */
    static Registration decode(JsonNode endpoint) {
        JsonNode f = endpoint.path(FIELDS);
        JsonNode lease = endpoint.path(LEASE);
        if (f.path("v").asInt() != 1 || !lease.isObject()) {
            throw new IllegalArgumentException("its hotline attributes are not version 1 with a lease");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonNode m = f.path("metadata");
        if (!m.isObject()) {
            throw new IllegalArgumentException("its metadata is not an object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!entry.getValue().isTextual()) {
                throw new IllegalArgumentException("a metadata value is not a string");
            }
            metadata.put(entry.getKey(), entry.getValue().asText());
        }
        Endpoint e;
        try {
            e = Endpoint.builder(text(f, "service")).id(text(f, "id")).server(text(f, "server")).host(text(f, "host"))
                    .port(number(f, "port")).scheme(text(f, "scheme")).zone(Zone.of(text(f, "zone")))
                    .priority(number(f, "priority")).weight(number(f, "weight")).metadata(metadata).build();
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("its fields do not make a valid endpoint");
        }
        if (!Regions.id(e.zone()).equals(endpoint.path("region_id").asText())) {
            throw new IllegalArgumentException("its region is not its zone's");
        }
        HealthPolicy policy;
        try {
            policy = HealthPolicy.of(Duration.ofMillis(number(lease, "report")), Duration.ofMillis(number(lease,
                    "down")), Duration.ofMillis(number(lease, "dereg")));
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("its lease is not a valid health policy");
        }
        if (!lease.path("renewed").canConvertToLong()) {
            throw new IllegalArgumentException("its lease has no renewal time");
        }
        return new Registration(endpoint.path("id").asText(), e, Instant.ofEpochMilli(lease.path("renewed").asLong()),
                policy);
    }

    /**
     * An endpoint the cloud's operators registered (catalog mode): its URL's host and port, id the Keystone id, in the
     * given zone.
     *
     * @throws IllegalArgumentException if its URL has no host Hotline can call
     */
    static Endpoint fromCatalog(JsonNode endpoint, String service, Zone zone) {
        URI url;
        try {
            url = URI.create(endpoint.path("url").asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("its url is not a URI");
        }
        if (url.getHost() == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
            throw new IllegalArgumentException("its url is not http or https with a host");
        }
        int port = url.getPort() > 0 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
        // URI keeps an IPv6 literal's brackets; the model holds the bare address.
        String host = url.getHost().startsWith("[") ? url.getHost().substring(1, url.getHost().length() - 1)
                : url.getHost();
        return Endpoint.builder(service).id(endpoint.path("id").asText()).host(host).port(port)
                .scheme(url.getScheme()).server(host.replaceAll("[^A-Za-z0-9._:@-]", "_"))
                .zone(zone).metadata(Map.of("interface", endpoint.path("interface").asText())).build();
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        if (!v.isTextual()) {
            throw new IllegalArgumentException("no " + field);
        }
        return v.asText();
    }

    private static int number(JsonNode n, String field) {
        JsonNode v = n.path(field);
        if (!v.canConvertToInt()) {
            throw new IllegalArgumentException("no " + field);
        }
        return v.asInt();
    }
}

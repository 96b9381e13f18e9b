package io.hotline.discovery.file;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Zone;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * One registration as the file store keeps it: the endpoint, its health policy, when it was last renewed and since
 * when it has been passing (epoch milliseconds of the wall clock, as several processes compare them).
 *
 * <p>The JSON is written field by field rather than data-bound so that a record missing a field is rejected
 * instead of silently read as zero: a zero {@code renewedAt} would make someone else's file look long expired and
 * get it deleted. The one exception is {@code priority} and {@code weight}, which records written before endpoints had
 * them lack: absent, they read as the defaults (0 and 1), which is what such an endpoint meant; present, they must be
 * whole numbers the model accepts. Readers of that time ignore the two fields, so the format stays the same. The
 * same holds for {@code passingSince}, which older writers neither write nor keep: absent, the store cannot tell
 * since when such an endpoint passes (its critical-since is known from {@code renewedAt}).
 *
 * @param passingSince when it was registered or a renewal brought it back from critical; empty if a writer that
 *     predates the field wrote the record
 */
record EndpointRecord(Endpoint endpoint, HealthPolicy policy, long renewedAt, OptionalLong passingSince) {

    /** Marks a file as ours, in a version a later layout can tell apart. */
    static final String FORMAT = "hotline.endpoint/1";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    EndpointRecord {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(passingSince, "passingSince");
    }

    /** A new registration, passing from {@code at}. */
    static EndpointRecord registered(Endpoint endpoint, HealthPolicy policy, long at) {
        return new EndpointRecord(endpoint, policy, at, OptionalLong.of(at));
    }

    /** Renewed at {@code at}: passing from then on if it was critical, else passing since as before. */
    EndpointRecord renewed(long at) {
        return new EndpointRecord(endpoint, policy, at, passingAt(at) ? passingSince : OptionalLong.of(at));
    }

    /** Its health at {@code now}, and since when it holds if the record tells. */
    EndpointStatus statusAt(long now) {
        if (passingAt(now)) {
            return passingSince.isPresent()
                    ? new EndpointStatus(endpoint, Health.PASSING, Instant.ofEpochMilli(passingSince.getAsLong()))
                    : new EndpointStatus(endpoint, Health.PASSING);
        }
        return new EndpointStatus(endpoint, Health.CRITICAL,
                Instant.ofEpochMilli(renewedAt + policy.downAfter().toMillis()));
    }

    /** Whether it went unrenewed for longer than its policy's deregister-after at {@code now}. */
    boolean expiredAt(long now) {
        return now - renewedAt > policy.deregisterAfter().toMillis();
    }

    /** Whether it went unrenewed for at most its policy's down-after at {@code now}. */
    boolean passingAt(long now) {
        return now - renewedAt <= policy.downAfter().toMillis();
    }

    byte[] toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("service", endpoint.service());
        root.put("id", endpoint.id());
        root.put("server", endpoint.server());
        root.put("host", endpoint.host());
        root.put("port", endpoint.port());
        root.put("scheme", endpoint.scheme());
        root.put("zone", endpoint.zone().path());
        root.put("priority", endpoint.priority());
        root.put("weight", endpoint.weight());
        ObjectNode metadata = root.putObject("metadata");
        new TreeMap<>(endpoint.metadata()).forEach(metadata::put);
        ObjectNode p = root.putObject("policy");
        p.put("reportIntervalMs", policy.reportInterval().toMillis());
        p.put("downAfterMs", policy.downAfter().toMillis());
        p.put("deregisterAfterMs", policy.deregisterAfter().toMillis());
        root.put("renewedAt", renewedAt);
        passingSince.ifPresent(t -> root.put("passingSince", t));
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an endpoint record as JSON", e);
        }
    }

    /**
     * Reads a record.
     *
     * @throws IllegalArgumentException saying what is wrong, if {@code json} is not a complete, valid record of
     *     this format
     */
    static EndpointRecord parse(byte[] json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new IllegalArgumentException("not valid JSON (" + why + ")");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonNode format = root.get("format");
        if (format == null || !FORMAT.equals(format.textValue())) {
            throw new IllegalArgumentException("format is " + (format == null ? "missing" : format)
                    + " instead of \"" + FORMAT + "\"");
        }
        Endpoint endpoint = new Endpoint(text(root, "service"), text(root, "id"), text(root, "server"),
                text(root, "host"), integer(root, "port"), text(root, "scheme"), Zone.of(text(root, "zone")),
                metadata(root), optionalInteger(root, "priority", Endpoint.DEFAULT_PRIORITY),
                optionalInteger(root, "weight", Endpoint.DEFAULT_WEIGHT));
        JsonNode p = field(root, "policy");
        HealthPolicy policy = new HealthPolicy(millis(p, "reportIntervalMs"), millis(p, "downAfterMs"),
                millis(p, "deregisterAfterMs"));
        return new EndpointRecord(endpoint, policy, number(root, "renewedAt"),
                root.has("passingSince") ? OptionalLong.of(number(root, "passingSince")) : OptionalLong.empty());
    }

    private static JsonNode field(JsonNode node, String name) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(name + " is missing");
        }
        return v;
    }

    private static String text(JsonNode node, String name) {
        JsonNode v = field(node, name);
        if (!v.isTextual()) {
            throw new IllegalArgumentException(name + " is not a string");
        }
        return v.textValue();
    }

    private static long number(JsonNode node, String name) {
        JsonNode v = field(node, name);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new IllegalArgumentException(name + " is not a whole number");
        }
        return v.longValue();
    }

    private static int integer(JsonNode node, String name) {
        long n = number(node, name);
        if (n != (int) n) {
            throw new IllegalArgumentException(name + " " + n + " is out of range");
        }
        return (int) n;
    }

    /** {@code name}'s value, or {@code absent} if the record has no such field (written before it existed). */
    private static int optionalInteger(JsonNode node, String name, int absent) {
        return node.has(name) ? integer(node, name) : absent;
    }

    private static Duration millis(JsonNode node, String name) {
        return Duration.ofMillis(number(node, name));
    }

    private static Map<String, String> metadata(JsonNode root) {
        JsonNode node = field(root, "metadata");
        if (!node.isObject()) {
            throw new IllegalArgumentException("metadata is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new IllegalArgumentException("metadata value of " + e.getKey() + " is not a string");
            }
            metadata.put(e.getKey(), e.getValue().textValue());
        }
        return metadata;
    }
}

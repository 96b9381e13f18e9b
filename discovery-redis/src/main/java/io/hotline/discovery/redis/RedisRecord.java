package io.hotline.discovery.redis;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.Untrusted;
import io.hotline.discovery.Zone;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An endpoint as the Redis store keeps it: one JSON object per registration, the value of its id in the service's
 * records hash. Read with Jackson's streaming parser, field by field, because a full healthy read of a large service
 * decodes thousands of them; a record missing a field, with an unknown one, or of another format is refused with the
 * reason, never guessed at.
 *
 * <p>{@code priority} and {@code weight} are the one exception: written only when they are not the defaults (0 and 1),
 * as a Hotline of before priorities refuses a record with fields it does not know, so it still reads every endpoint
 * that does not use them; absent, they read as the defaults, which is what a record written then meant.
 */
final class RedisRecord {

    /** Marks a record as ours, in a version a later layout can tell apart. */
    static final String FORMAT = "hotline.redis/1";

    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final int MAX_CACHED_ZONES = 1024;
    private static final Map<String, Zone> ZONES = new ConcurrentHashMap<>();

    private RedisRecord() {}

    static String toJson(Endpoint e) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("format", FORMAT);
            g.writeStringField("service", e.service());
            g.writeStringField("id", e.id());
            g.writeStringField("server", e.server());
            g.writeStringField("host", e.host());
            g.writeNumberField("port", e.port());
            g.writeStringField("scheme", e.scheme());
            g.writeStringField("zone", e.zone().path());
            if (e.priority() != Endpoint.DEFAULT_PRIORITY) {
                g.writeNumberField("priority", e.priority());
            }
            if (e.weight() != Endpoint.DEFAULT_WEIGHT) {
                g.writeNumberField("weight", e.weight());
            }
            g.writeObjectFieldStart("metadata");
            for (Map.Entry<String, String> m : new TreeMap<>(e.metadata()).entrySet()) {
                g.writeStringField(m.getKey(), m.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write an endpoint record as JSON", ex);
        }
        return out.toString();
    }

    /**
     * Reads a record.
     *
     * @throws IllegalArgumentException saying what is wrong, if {@code json} is not a complete, valid record
     */
    static Endpoint parse(String json) {
        return parse(json.getBytes(StandardCharsets.UTF_8));
    }

    /** As {@link #parse(String)}, from UTF-8. */
    static Endpoint parse(byte[] json) {
        String format = null;
        String service = null;
        String id = null;
        String server = null;
        String host = null;
        String scheme = null;
        String zone = null;
        Integer port = null;
        int priority = Endpoint.DEFAULT_PRIORITY;
        int weight = Endpoint.DEFAULT_WEIGHT;
        Map<String, String> metadata = null;
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "format" -> format = text(p, value, field);
                    case "service" -> service = text(p, value, field);
                    case "id" -> id = text(p, value, field);
                    case "server" -> server = text(p, value, field);
                    case "host" -> host = text(p, value, field);
                    case "scheme" -> scheme = text(p, value, field);
                    case "zone" -> zone = text(p, value, field);
                    case "port" -> port = integer(p, value, field);
                    case "priority" -> priority = integer(p, value, field);
                    case "weight" -> weight = integer(p, value, field);
                    case "metadata" -> metadata = metadata(p, value);
                    default -> throw new IllegalArgumentException("has the unknown field '" + field + "'");
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new IllegalArgumentException("has text after the JSON object");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON (" + e.getClass().getSimpleName() + ")");
        }
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException("format is " + (format == null ? "missing" : "'" + format + "'")
                    + " instead of '" + FORMAT + "'");
        }
        if (port == null || metadata == null || zone == null) {
            throw new IllegalArgumentException((port == null ? "port" : metadata == null ? "metadata" : "zone")
                    + " is missing");
        }
        return new Endpoint(service, id, server, host, port, scheme, zone(zone), metadata, priority, weight);
    }

    /** Parsed once per path: a service's records almost all share one zone. */
    private static Zone zone(String path) {
        Zone z = ZONES.get(path);
        if (z == null) {
            z = Zone.of(path);
            if (ZONES.size() < MAX_CACHED_ZONES) {
                ZONES.put(path, z);
            }
        }
        return z;
    }

    private static String text(JsonParser p, JsonToken value, String field) throws IOException {
        if (value != JsonToken.VALUE_STRING) {
            throw new IllegalArgumentException(field + " is not a string");
        }
        return p.getText();
    }

    /** A whole number that fits an int; the model checks its range, naming the field. */
    private static int integer(JsonParser p, JsonToken value, String field) throws IOException {
        if (value != JsonToken.VALUE_NUMBER_INT) {
            throw new IllegalArgumentException(field + " is not a whole number");
        }
        if (p.getNumberType() != JsonParser.NumberType.INT) {
            throw new IllegalArgumentException(field + " " + Untrusted.excerpt(p.getText()) + " is out of range");
        }
        return p.getIntValue();
    }

    private static Map<String, String> metadata(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            throw new IllegalArgumentException("metadata is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw new IllegalArgumentException("metadata value of '" + key + "' is not a string");
            }
            metadata.put(key, p.getText());
        }
        return metadata;
    }
}

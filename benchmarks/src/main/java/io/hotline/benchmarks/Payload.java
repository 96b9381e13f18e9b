package io.hotline.benchmarks;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The arguments every contender sends, and the JSON codec the baselines use for them.
 *
 * <p>Hotline writes and reads JSON itself (its envelope around the arguments, and the endpoint's {@code Map}
 * parameter and result). So that the baselines are not credited with skipping work an oslo service always does,
 * their clients encode the same arguments to JSON per call and decode the reply, and their servers decode the
 * request and encode it back: every column pays for the JSON of the arguments once on each side.
 */
final class Payload {

    /** About 200 bytes of JSON, shaped like a Nova call's keyword arguments. */
    static final Map<String, Object> ARGS = args();

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectWriter WRITER = MAPPER.writer();
    private static final ObjectReader READER = MAPPER.readerFor(new TypeReference<Map<String, Object>>() { });

    private Payload() {}

    static byte[] encode(Map<String, ?> args) {
        try {
            return WRITER.writeValueAsBytes(args);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the arguments as JSON", e);
        }
    }

    static Map<String, Object> decode(byte[] json) {
        try {
            return READER.readValue(json);
        } catch (IOException e) {
            throw new UncheckedIOException("the message is not a JSON object: " + e.getMessage(), e);
        }
    }

    /** What an echo server does with a request body: decode it, and encode the result. */
    static byte[] echo(byte[] request) {
        return encode(decode(request));
    }

    /** The size of {@link #ARGS} as JSON. */
    static int size() {
        return encode(ARGS).length;
    }

    private static Map<String, Object> args() {
        Map<String, Object> flavor = new LinkedHashMap<>();
        flavor.put("vcpus", 4);
        flavor.put("memory_mb", 8192);
        flavor.put("root_gb", 80);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("instance_uuid", "6f1c2a9e-3b7d-4c1e-9a55-0d2f8e4b7c31");
        payload.put("host", "compute-17");
        payload.put("flavor", flavor);
        payload.put("request_id", "req-1c0e5d7a-8f2b-4e9c-b3a1-5f6d7e8c9a0b");
        // One keyword argument, as the Hotline echo endpoint's single parameter is named.
        return Map.of("payload", Collections.unmodifiableMap(payload));
    }
}

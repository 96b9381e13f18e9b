package io.hotline.rpc.internal.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.hotline.rpc.FanoutReport;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The JSON bodies of {@code POST /v1/rpc/{service}}, as {@code openapi.json} describes them, and the one
 * {@link ObjectMapper} both sides use. Readers and writers are built once: they are the hot path.
 */
public final class Wire {

    public static final String JSON = "application/json";
    public static final String RPC_PATH = "/v1/rpc/";

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();
    /**
     * The server's reader of requests: strict ({@link StrictJson}), unlike {@link #MAPPER}, which also converts
     * arguments and reads replies.
     */
    public static final ObjectReader REQUEST_READER = StrictJson.mapper().build().readerFor(Request.class);
    public static final ObjectWriter REQUEST_WRITER = MAPPER.writerFor(OutgoingRequest.class);
    public static final ObjectWriter RESULT_WRITER = MAPPER.writerFor(Result.class);
    /** Reads one value in the middle of a document; {@link #readResult} checks what follows it itself. */
    private static final ObjectReader INNER_VALUE_READER = MAPPER.reader()
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    public static final ObjectReader ERROR_READER = MAPPER.readerFor(ErrorBody.class);
    public static final ObjectWriter ERROR_WRITER = MAPPER.writerFor(ErrorBody.class);
    public static final ObjectWriter ACCEPTED_WRITER = MAPPER.writerFor(Accepted.class);
    public static final String FANOUT_PATH = "/v1/fanout/";
    /** The service broadcasters register as ({@code RpcClient.BROADCASTER_SERVICE}). */
    public static final String BROADCASTER_SERVICE = "hotline.broadcaster";
    public static final ObjectWriter FANOUT_WRITER = MAPPER.writerFor(FanoutRequest.class);
    public static final ObjectReader REPORT_READER = MAPPER.readerFor(FanoutReport.class);

    /**
     * Each thread's source of msg_ids, seeded from {@link SecureRandom} once. A msg_id must be unique, not secret (it
     * is in logs and replies): {@link UUID#randomUUID()}'s shared {@code SecureRandom} took about a microsecond per
     * message on the call path. Each thread's generator has a seed and a step of its own (a {@code split()} of one
     * seeded securely), so that threads and processes do not walk the same sequence and repeat one another's ids.
     */
    private static final ThreadLocal<SplittableRandom> MSG_IDS = ThreadLocal.withInitial(
            () -> new SplittableRandom(new SecureRandom().nextLong()).split());

    private Wire() {}

    /** A new msg_id: a random (version 4) UUID, as oslo's are. */
    public static String newMsgId() {
        SplittableRandom random = MSG_IDS.get();
        long high = random.nextLong() & ~0xf000L | 0x4000L;
        long low = random.nextLong() & ~(0xcL << 60) | 0x8L << 60;
        return new UUID(high, low).toString();
    }

    /**
     * What a client sends; {@code kind} is {@code call} or {@code cast}. Only {@code namespace} and {@code version} may
     * be null, as the document says; the others may be left out.
     */
    public record Request(String kind, String method, @JsonDeserialize(using = StrictJson.NotNull.class) JsonNode args,
            @JsonDeserialize(using = StrictJson.NotNull.class) Map<String, Object> context, String namespace,
            String version, @JsonProperty("msg_id") @JsonDeserialize(using = StrictJson.NotNull.class) String msgId,
            @JsonDeserialize(using = StrictJson.NotNull.class) Double timeout) {}

    /**
     * A {@link Request} as the client writes it: the caller's arguments are serialized straight into the body, not
     * first copied into a tree.
     */
    public record OutgoingRequest(String kind, String method, Object args, Map<String, Object> context, String namespace,
            String version, @JsonProperty("msg_id") String msgId, Double timeout) {}

    /**
     * A fanout cast to the broadcaster: a cast's fields plus which zones ({@code "home"}, {@code "all"} or a list of
     * zone paths; null is home) and whether to wait for a per-server report.
     */
    public record FanoutRequest(String kind, String method, Object args, Map<String, Object> context, String namespace,
            String version, @JsonProperty("msg_id") String msgId, Double timeout, Object zones, Boolean report) {}

    /** A call's reply, written straight from the method's return value; {@code null} is written, not left out. */
    public record Result(@JsonInclude(JsonInclude.Include.ALWAYS) Object result) {}

    /**
     * Reads a call's reply, {@code {"result": ...}}, straight into {@code type} (null for a JSON null), without a tree
     * in between; refuses other fields and trailing data as the readers built on {@link #MAPPER} do.
     */
    public static Object readResult(byte[] content, JavaType type) throws IOException {
        try (JsonParser p = MAPPER.createParser(content)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new JsonParseException(p, "a reply must be a JSON object with a result");
            }
            Object value = null;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String name = p.currentName();
                if (!"result".equals(name)) {
                    throw new JsonParseException(p, "a reply has only a result, not '" + name + "'");
                }
                value = p.nextToken() == JsonToken.VALUE_NULL ? null : INNER_VALUE_READER.forType(type).readValue(p);
            }
            if (p.nextToken() != null) {
                throw new JsonParseException(p, "trailing data after the reply");
            }
            return value;
        }
    }

    /** A cast's acknowledgement: it is queued on the server. */
    public record Accepted(@JsonProperty("msg_id") String msgId) {}

    /** Any failure: the error type (an oslo exception name, or the remote exception's class), message, trace. */
    public record ErrorBody(Error error) {
        public static ErrorBody of(String type, String message, List<String> trace) {
            return new ErrorBody(new Error(type, message, trace));
        }
    }

    public record Error(String type, String message, List<String> trace) {}
}

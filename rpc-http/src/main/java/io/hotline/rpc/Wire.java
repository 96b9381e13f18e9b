package io.hotline.rpc;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.List;
import java.util.Map;

/**
 * The JSON bodies of {@code POST /v1/rpc/{service}}, as {@code openapi.json} describes them, and the one
 * {@link ObjectMapper} both sides use. Readers and writers are built once: they are the hot path.
 */
final class Wire {

    static final String JSON = "application/json";
    static final String RPC_PATH = "/v1/rpc/";

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();
    static final ObjectReader REQUEST_READER = MAPPER.readerFor(Request.class);
    static final ObjectWriter REQUEST_WRITER = MAPPER.writerFor(Request.class);
    static final ObjectReader RESULT_READER = MAPPER.readerFor(Result.class);
    static final ObjectWriter RESULT_WRITER = MAPPER.writerFor(Result.class);
    static final ObjectReader ERROR_READER = MAPPER.readerFor(ErrorBody.class);
    static final ObjectWriter ERROR_WRITER = MAPPER.writerFor(ErrorBody.class);
    static final ObjectWriter ACCEPTED_WRITER = MAPPER.writerFor(Accepted.class);
    static final String FANOUT_PATH = "/v1/fanout/";
    static final ObjectWriter FANOUT_WRITER = MAPPER.writerFor(FanoutRequest.class);
    static final ObjectReader REPORT_READER = MAPPER.readerFor(FanoutReport.class);

    private Wire() {}

    /** What a client sends; {@code kind} is {@code call} or {@code cast}. */
    record Request(String kind, String method, JsonNode args, Map<String, Object> context, String namespace,
            String version, @JsonProperty("msg_id") String msgId, Double timeout) {}

    /**
     * A fanout cast to the broadcaster: a cast's fields plus which zones ({@code "home"}, {@code "all"} or a list of
     * zone paths; null is home) and whether to wait for a per-server report.
     */
    record FanoutRequest(String kind, String method, JsonNode args, Map<String, Object> context, String namespace,
            String version, @JsonProperty("msg_id") String msgId, Double timeout, Object zones, Boolean report) {}

    /** A call's reply. */
    record Result(JsonNode result) {}

    /** A cast's acknowledgement: it is queued on the server. */
    record Accepted(@JsonProperty("msg_id") String msgId) {}

    /** Any failure: the error type (an oslo exception name, or the remote exception's class), message, trace. */
    record ErrorBody(Error error) {
        static ErrorBody of(String type, String message, List<String> trace) {
            return new ErrorBody(new Error(type, message, trace));
        }
    }

    record Error(String type, String message, List<String> trace) {}
}

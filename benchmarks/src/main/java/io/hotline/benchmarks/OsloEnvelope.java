package io.hotline.benchmarks;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.hotline.rpc.internal.wire.Wire;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.Arrays;
import java.util.Map;

/**
 * The least a server of Hotline's wire protocol does per call, done the plainest way with Jackson: the client writes
 * the oslo envelope ({@code kind}, {@code method}, {@code args}, {@code context}, {@code version}, {@code msg_id},
 * {@code timeout}) around the arguments, its msg_id made as Hotline's client makes it ({@link Wire#newMsgId()}, no
 * {@code SecureRandom} per message), and reads the result from {@code {"result": ...}}; the server reads the envelope,
 * finds the method by name, converts each argument by its parameter's name and type, runs it, and writes the result.
 * No metrics, tracing, validation beyond Jackson's own, call slots, retries or call monitor: what Hotline adds above
 * this is its own cost.
 *
 * <pre>{@code
 * byte[] request = OsloEnvelope.request(Payload.ARGS);
 * byte[] reply = OsloEnvelope.serve(request);           // {"result": ...}
 * Map<String, Object> result = OsloEnvelope.result(reply);
 * }</pre>
 */
final class OsloEnvelope {

    private record Incoming(String kind, String method, JsonNode args, Map<String, Object> context, String namespace,
            String version, @JsonProperty("msg_id") String msgId, Double timeout) {}

    private record Outgoing(String kind, String method, Object args, Map<String, Object> context, String namespace,
            String version, @JsonProperty("msg_id") String msgId, Double timeout) {}

    private record Result(Object result) {}

    private record MapResult(Map<String, Object> result) {}

    /** A method, with its parameters' names and types looked up once. */
    private record Bound(Method method, String[] names, JavaType[] types) {
        static Bound of(Method method) {
            Parameter[] params = method.getParameters();
            return new Bound(method, Arrays.stream(params).map(Parameter::getName).toArray(String[]::new),
                    Arrays.stream(params).map(p -> MAPPER.constructType(p.getParameterizedType()))
                            .toArray(JavaType[]::new));
        }
    }

    /** The endpoint: one method, taking the benchmark's one keyword argument. */
    public static final class Echo {
        public Map<String, Object> echo(Map<String, Object> payload) {
            return payload;
        }
    }

    /** What a client tells the server it waits, as Hotline's does: the benchmark's request timeout. */
    private static final double REQUEST_TIMEOUT_SECONDS = 10.0;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectReader INCOMING = MAPPER.readerFor(Incoming.class);
    private static final ObjectWriter OUTGOING = MAPPER.writerFor(Outgoing.class);
    private static final ObjectWriter RESULT = MAPPER.writerFor(Result.class);
    private static final ObjectReader MAP_RESULT = MAPPER.readerFor(MapResult.class);
    private static final Echo ENDPOINT = new Echo();
    private static final Map<String, Bound> METHODS = Map.of("echo", Bound.of(echoMethod()));

    private OsloEnvelope() {}

    /** A call of {@code echo} with these arguments, as a client writes it. */
    static byte[] request(Map<String, ?> args) {
        try {
            return OUTGOING.writeValueAsBytes(new Outgoing("call", "echo", args, Map.of(), null, "1.0",
                    Wire.newMsgId(), REQUEST_TIMEOUT_SECONDS));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the envelope", e);
        }
    }

    /**
     * The server's side: the reply to a request body.
     *
     * @throws IllegalArgumentException if the body is no call of a method there is, with its arguments
     */
    static byte[] serve(byte[] body) {
        try {
            Incoming call = INCOMING.readValue(body);
            Bound bound = METHODS.get(call.method());
            if (bound == null || call.args() == null) {
                throw new IllegalArgumentException("no such method, or no arguments");
            }
            Object[] values = new Object[bound.names().length];
            for (int i = 0; i < values.length; i++) {
                values[i] = MAPPER.treeToValue(call.args().get(bound.names()[i]), bound.types()[i]);
            }
            return RESULT.writeValueAsBytes(new Result(bound.method().invoke(ENDPOINT, values)));
        } catch (IOException | IllegalAccessException | InvocationTargetException e) {
            throw new IllegalArgumentException("not a call of echo: " + e.getMessage(), e);
        }
    }

    /** The result a client reads from a reply. */
    static Map<String, Object> result(byte[] reply) {
        try {
            return MAP_RESULT.<MapResult>readValue(reply).result();
        } catch (IOException e) {
            throw new UncheckedIOException("the reply is not {\"result\": ...}: " + e.getMessage(), e);
        }
    }

    private static Method echoMethod() {
        try {
            return Echo.class.getMethod("echo", Map.class);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }
}

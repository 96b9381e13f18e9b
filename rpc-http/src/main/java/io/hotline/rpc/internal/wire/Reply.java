package io.hotline.rpc.internal.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.List;

/**
 * What a Hotline server answers: an HTTP status and a JSON body. A 503 is a refusal before any work, answered with
 * Retry-After so that the client sends it again later, here or elsewhere.
 *
 * <pre>{@code
 * Reply refusal = Reply.error(403, "AccessDenied", "the token is wrong; use the server's hotline.http.token");
 * }</pre>
 *
 * @param status the HTTP status
 * @param body the JSON body
 */
public record Reply(int status, byte[] body) {

    /** Whether the answer is a refusal the client may send again later: adds Retry-After. */
    public boolean retryLater() {
        return status == 503;
    }

    /** An error reply in the wire's error shape, {@code {"error": {"type", "message", "trace": []}}}. */
    public static Reply error(int status, String type, String message) {
        return new Reply(status, errorBytes(type, message, List.of()));
    }

    /** The body of an error reply. */
    public static byte[] errorBytes(String type, String message, List<String> trace) {
        return json(() -> Wire.ERROR_WRITER.writeValueAsBytes(Wire.ErrorBody.of(type, message, trace)));
    }

    /** A JSON body written by {@code write}; Jackson cannot fail on the wire's own records but declares it may. */
    public static byte[] json(JsonWrite write) {
        try {
            return write.write();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON reply: " + e.getOriginalMessage(), e);
        }
    }

    /** Writes a JSON body. */
    public interface JsonWrite {
        byte[] write() throws JsonProcessingException;
    }
}

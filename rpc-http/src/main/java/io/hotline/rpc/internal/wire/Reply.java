package io.hotline.rpc.internal.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.List;

/**
 * What a Hotline server answers: an HTTP status and a JSON body. A 503 is a refusal before any work, answered with
 * Retry-After so that the client sends it again later, here or elsewhere.
 *
 * <pre>{@code
 * Reply refusal = Reply.error(WireError.ACCESS_DENIED, "the token is wrong; use the server's hotline.http.token");
 * Reply tooLarge = Reply.error(WireError.INVALID_REQUEST, 413, "the request body is larger than 1048576 bytes");
 * }</pre>
 *
 * @param status the HTTP status
 * @param body the JSON body
 */
public record Reply(int status, byte[] body) {

    /** Whether the answer is a refusal the client may send again later: adds Retry-After. */
    public boolean retryLater() {
        return status == WireError.SERVER_BUSY.status();
    }

    /** An error reply in the wire's error shape with the error's usual status. */
    public static Reply error(WireError error, String message) {
        return error(error, error.status(), message);
    }

    /**
     * An error reply in the wire's error shape, {@code {"error": {"type", "message", "trace": []}}}.
     *
     * @throws IllegalArgumentException if the error is not answered with this status
     */
    public static Reply error(WireError error, int status, String message) {
        if (!error.answeredWith(status)) {
            throw new IllegalArgumentException(error.type() + " is not answered with HTTP " + status);
        }
        return new Reply(status, errorBytes(error.type(), message, List.of()));
    }

    /** The 500 of a method that threw: the exception's class name, message and the method's own frames. */
    public static Reply remote(String exceptionType, String message, List<String> trace) {
        return new Reply(WireError.REMOTE_ERROR.status(), errorBytes(exceptionType, message, trace));
    }

    private static byte[] errorBytes(String type, String message, List<String> trace) {
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

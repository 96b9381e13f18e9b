package io.hotline.rpc;

import io.hotline.rpc.internal.wire.Wire;
import io.hotline.rpc.internal.wire.WireError;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpHeader;

/**
 * The client's reading of a server's answer: the body of a 2xx, or the exception {@link WireError}'s table says the
 * error type means; a remote exception as itself when its type is allowed (oslo's allowed_remote_exmods).
 *
 * <pre>{@code
 * byte[] body = new ReplyDecoder(Set.of("com.example.QuotaExceeded")).body(response);   // or throws
 * }</pre>
 */
final class ReplyDecoder {

    private static final long DEFAULT_RETRY_AFTER_SECONDS = 1;

    private final Set<String> allowedRemoteExceptions;

    ReplyDecoder(Set<String> allowedRemoteExceptions) {
        this.allowedRemoteExceptions = Set.copyOf(allowedRemoteExceptions);
    }

    /** The body of a 2xx reply; any other status becomes the matching exception. */
    byte[] body(ContentResponse reply) {
        int status = reply.getStatus();
        if (status >= 200 && status < 300) {
            return reply.getContent();
        }
        Wire.Error error;
        try {
            error = Wire.ERROR_READER.<Wire.ErrorBody>readValue(reply.getContent()).error();
        } catch (IOException | RuntimeException e) {
            error = null;
        }
        if (error == null || error.type() == null) {
            throw new RpcException("HTTP " + status + " without a Hotline error body");
        }
        throw exception(status, error, retryAfter(reply));
    }

    /** The exception for an error reply with this status and body. */
    RuntimeException exception(int status, Wire.Error error, Duration retryAfter) {
        WireError row = WireError.of(error.type(), status);
        if (row == WireError.REMOTE_ERROR || row == WireError.HTTP_ERROR && status == 500) {
            return remote(error);
        }
        return row.exception(status, error, retryAfter);
    }

    /** The remote exception as itself when its type is allowed and constructible, else a {@link RemoteError}. */
    private RuntimeException remote(Wire.Error error) {
        RemoteError remote = new RemoteError(error.type(), error.message(),
                error.trace() == null ? List.of() : error.trace());
        if (!allowedRemoteExceptions.contains(error.type())) {
            return remote;
        }
        try {
            Class<?> type = Class.forName(error.type(), false, RpcClient.class.getClassLoader());
            if (RuntimeException.class.isAssignableFrom(type)) {
                RuntimeException e = (RuntimeException) type.getConstructor(String.class).newInstance(error.message());
                e.initCause(remote);
                return e;
            }
        } catch (ReflectiveOperationException | IllegalStateException e) {
            remote.addSuppressed(e);
        }
        return remote;
    }

    /**
     * How long a server that answered 503 asked not to be sent anything (Retry-After in seconds, as Hotline servers
     * send it, or an HTTP date); {@value #DEFAULT_RETRY_AFTER_SECONDS} s when it did not say, or not readably, so
     * that a busy server is never sent the same request again at once.
     */
    static Duration retryAfter(Response response) {
        String value = response.getHeaders().get(HttpHeader.RETRY_AFTER);
        if (value != null) {
            String v = value.strip();
            try {
                if (!v.isEmpty() && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    return Duration.ofSeconds(Long.parseLong(v));
                }
                Duration until = Duration.between(Instant.now(),
                        ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return until.isNegative() ? Duration.ZERO : until;
            } catch (NumberFormatException | DateTimeParseException e) {
                // Neither form: the default below.
            }
        }
        return Duration.ofSeconds(DEFAULT_RETRY_AFTER_SECONDS);
    }
}

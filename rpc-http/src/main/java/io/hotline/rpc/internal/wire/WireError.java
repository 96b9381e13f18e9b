package io.hotline.rpc.internal.wire;

import io.hotline.rpc.AccessDenied;
import io.hotline.rpc.InvalidRequest;
import io.hotline.rpc.InvalidTarget;
import io.hotline.rpc.MessagingTimeout;
import io.hotline.rpc.NoSuchMethod;
import io.hotline.rpc.RemoteError;
import io.hotline.rpc.RpcException;
import io.hotline.rpc.ServerBusy;
import io.hotline.rpc.UnsupportedVersion;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every error a Hotline process answers, in one table: the {@code type} its body carries, the HTTP statuses it comes
 * with, the exception a client raises for it, whether it promises that nothing ran, and whose fault it is. Servers,
 * broadcasters and the status page write their errors from it ({@link Reply#error(WireError, String)}), the client
 * decodes them with it, and the CLI derives its exit codes from it; the OpenAPI documents list the same types.
 *
 * <pre>{@code
 * Reply busy = Reply.error(WireError.SERVER_BUSY, "the server is running as many calls as it may; send again later");
 * RpcException raised = WireError.of(type, status).exception(status, error, retryAfter);
 * }</pre>
 */
public enum WireError {

    /** The body, a header or a field is wrong, or the body was too large or too slow; nothing ran. */
    INVALID_REQUEST("InvalidRequest", 400, Set.of(400, 408, 409, 413, 415), true, Fault.CALLER, InvalidRequest.class,
            (status, error, retryAfter) -> new InvalidRequest(error.message())),
    /** The token is missing (401, with a Bearer challenge) or wrong (403); nothing ran. */
    ACCESS_DENIED("AccessDenied", 403, Set.of(401, 403), true, Fault.CALLER, AccessDenied.class,
            (status, error, retryAfter) -> new AccessDenied(error.message())),
    /** The request went to a server of another service; nothing ran. */
    INVALID_TARGET("InvalidTarget", 404, Set.of(404), true, Fault.UNAVAILABLE, InvalidTarget.class,
            (status, error, retryAfter) -> new InvalidTarget(error.message())),
    /** The server's endpoints have no such method; nothing ran. */
    NO_SUCH_METHOD("NoSuchMethod", 404, Set.of(404), true, Fault.CALLER, NoSuchMethod.class,
            (status, error, retryAfter) -> new NoSuchMethod(error.message())),
    /** No endpoint of the server serves the requested version; nothing ran. */
    UNSUPPORTED_VERSION("UnsupportedVersion", 409, Set.of(409), true, Fault.CALLER, UnsupportedVersion.class,
            (status, error, retryAfter) -> new UnsupportedVersion(error.message())),
    /** Refused before any work, with Retry-After: the client sends it again later, here or elsewhere. */
    SERVER_BUSY("ServerBusy", 503, Set.of(503), true, Fault.UNAVAILABLE, ServerBusy.class,
            (status, error, retryAfter) -> new ServerBusy(error.message() + " (it asked to be sent it again after "
                    + retryAfter.toMillis() + " ms)", retryAfter)),
    /** The request's timeout ran out while it waited on the server, before it could start; nothing ran. */
    EXPIRED("Expired", 504, Set.of(504), true, Fault.UNAVAILABLE, MessagingTimeout.class,
            (status, error, retryAfter) -> new MessagingTimeout("the server did not run it: " + error.message(), null)),
    /** The call monitor's answer: no call with that msg_id runs here. */
    UNKNOWN_CALL("UnknownCall", 404, Set.of(404), true, Fault.SERVER, RpcException.class,
            WireError::httpError),
    /**
     * Any other HTTP refusal or failure: no such path (404), a method the path does not take (405), a media type not
     * served (406), a request Jetty refuses before any handler, or (500) a broadcaster's fanout that failed inside
     * it, after which some servers may have the cast.
     */
    HTTP_ERROR("HttpError", 404, Set.of(), false, Fault.SERVER, RpcException.class,
            WireError::httpError),
    /**
     * The method threw: the body's type is the exception's class name, not this row's {@code RemoteError} (which
     * names it in metrics), and the trace has the method's own frames.
     */
    REMOTE_ERROR("RemoteError", 500, Set.of(500), false, Fault.SERVER, RemoteError.class,
            (status, error, retryAfter) -> new RemoteError(error.type(), error.message(),
                    error.trace() == null ? List.of() : error.trace()));

    /** What to do about an error: the CLI's exit codes follow it. */
    public enum Fault {
        /** The request is wrong (token, method, version, arguments): fix it before sending it again. */
        CALLER,
        /** No server could take it now (busy, gone, out of time): send it again later. */
        UNAVAILABLE,
        /** It ran and failed, or failed on the server's side for a reason the caller cannot fix. */
        SERVER
    }

    /** Makes the exception a client raises for an error reply. */
    private interface Raise {
        RpcException raise(int status, Wire.Error error, Duration retryAfter);
    }

    private final String type;
    private final int status;
    private final Set<Integer> statuses;
    private final boolean nothingRan;
    private final Fault fault;
    private final Class<? extends RpcException> exceptionType;
    private final Raise raise;

    WireError(String type, int status, Set<Integer> statuses, boolean nothingRan, Fault fault,
            Class<? extends RpcException> exceptionType, Raise raise) {
        this.type = type;
        this.status = status;
        this.statuses = statuses;
        this.nothingRan = nothingRan;
        this.fault = fault;
        this.exceptionType = exceptionType;
        this.raise = raise;
    }

    /** The body's {@code error.type}, e.g. {@code ServerBusy}. */
    public String type() {
        return type;
    }

    /** The usual HTTP status, e.g. 503. */
    public int status() {
        return status;
    }

    /**
     * Every HTTP status this error is answered with, e.g. 401 and 403 for {@link #ACCESS_DENIED}; empty for
     * {@link #HTTP_ERROR}, which any 4xx or 5xx status may carry.
     */
    public Set<Integer> statuses() {
        return statuses;
    }

    /** Whether this error may be answered with {@code status}. */
    public boolean answeredWith(int status) {
        return statuses.isEmpty() ? status >= 400 && status < 600 : statuses.contains(status);
    }

    /** Whether the error promises that nothing ran, so that the request may be sent again. */
    public boolean nothingRan() {
        return nothingRan;
    }

    public Fault fault() {
        return fault;
    }

    /** The type of exception {@link #exception} makes (at 500 {@link #HTTP_ERROR} makes a {@link RemoteError}). */
    public Class<? extends RpcException> exceptionType() {
        return exceptionType;
    }

    /**
     * The exception a client raises for this error.
     *
     * @param retryAfter the reply's Retry-After, for {@link #SERVER_BUSY}
     */
    public RpcException exception(int status, Wire.Error error, Duration retryAfter) {
        return raise.raise(status, error, retryAfter);
    }

    /** The row of a fixed type name; not {@link #REMOTE_ERROR}, whose body carries a class name instead. */
    public static Optional<WireError> named(String type) {
        return Arrays.stream(values()).filter(e -> e != REMOTE_ERROR && e.type.equals(type)).findFirst();
    }

    /**
     * The row of an error reply: its named row, else a remote exception for a 500 and {@link #HTTP_ERROR} for any
     * other status.
     */
    public static WireError of(String type, int status) {
        return named(type).orElse(status == 500 ? REMOTE_ERROR : HTTP_ERROR);
    }

    /** The row whose exception type is the closest one of {@code e}'s, e.g. {@link #SERVER_BUSY} for a ServerBusy. */
    public static WireError raising(RpcException e) {
        WireError closest = HTTP_ERROR;
        for (WireError row : values()) {
            if (row.exceptionType.isInstance(e) && closest.exceptionType.isAssignableFrom(row.exceptionType)
                    && row.exceptionType != closest.exceptionType) {
                closest = row;
            }
        }
        return closest;
    }

    private static RpcException httpError(int status, Wire.Error error, Duration retryAfter) {
        // A 500 without a known type is a failure on the far side: the caller sees its type and message.
        return status == 500 ? new RemoteError(error.type(), error.message(),
                error.trace() == null ? List.of() : error.trace())
                : new RpcException("HTTP " + status + ": " + error.message());
    }
}

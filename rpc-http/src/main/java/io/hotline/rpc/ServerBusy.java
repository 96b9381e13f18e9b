package io.hotline.rpc;

import java.time.Duration;
import java.util.Optional;

/**
 * Nothing ran and the request may be sent again: the server's work queue is full (HTTP 503), every server tried said
 * so, or the request waited its whole timeout in the client for a connection to the server and was never sent.
 *
 * <pre>{@code
 * try {
 *     client.prepare(target).call("count", Map.of(), Integer.class);
 * } catch (ServerBusy busy) {
 *     Duration wait = busy.retryAfter().orElse(Duration.ofSeconds(1));   // then try again
 * }
 * }</pre>
 */
public class ServerBusy extends RpcException {
    private static final long serialVersionUID = 1L;

    private final Duration retryAfter;

    public ServerBusy(String message) {
        this(message, null);
    }

    /** @param retryAfter how long the server asked to wait before sending again, or null if it did not say */
    public ServerBusy(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = retryAfter;
    }

    /** How long the server asked to wait before sending again (its Retry-After), if it said. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}

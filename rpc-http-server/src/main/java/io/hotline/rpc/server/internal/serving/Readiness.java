package io.hotline.rpc.server.internal.serving;

import java.nio.charset.StandardCharsets;

/**
 * What {@code GET /readyz} answers, on an RPC server and a broadcaster alike: 200 and {@code {"status":"ready"}} while
 * the process is registered and takes work, else 503 (with Retry-After) and why not: {@code starting} (not registered
 * yet), {@code unregistered} (its last heartbeat did not reach the store), {@code draining} (closing: deregistered,
 * finishing what it has) or {@code saturated} (every call slot busy). {@code /healthz} answers 200 meanwhile: the
 * process is alive, just not ready. A store's HTTP check and a load balancer ask {@code /readyz}.
 *
 * <pre>{@code
 * Readiness r = serving.readiness();
 * return JsonReplies.send(response, callback, r.httpStatus(), r.body());
 * }</pre>
 *
 * @param status the word the body carries
 */
public record Readiness(String status) {

    public static final Readiness READY = new Readiness("ready");
    public static final Readiness STARTING = new Readiness("starting");
    public static final Readiness UNREGISTERED = new Readiness("unregistered");
    public static final Readiness DRAINING = new Readiness("draining");
    public static final Readiness SATURATED = new Readiness("saturated");

    public boolean ready() {
        return this.equals(READY);
    }

    /** 200 when ready, else 503. */
    public int httpStatus() {
        return ready() ? 200 : 503;
    }

    /** {@code {"status":"..."}}. */
    public byte[] body() {
        return ("{\"status\":\"" + status + "\"}").getBytes(StandardCharsets.UTF_8);
    }
}

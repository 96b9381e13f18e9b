package io.hotline.rpc.internal.metrics;

import java.time.Duration;

/**
 * The histogram buckets of every RPC duration Hotline records, the client's, the server's and the broadcaster's alike,
 * so that percentiles can be taken across clients and servers.
 *
 * <pre>{@code
 * Timer.builder("hotline.rpc.client.requests").serviceLevelObjectives(RpcBuckets.DURATIONS).register(registry);
 * }</pre>
 */
public final class RpcBuckets {

    /** Histogram bucket boundaries for RPC durations, from a millisecond to a minute. */
    public static final Duration[] DURATIONS = {
        Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};

    private RpcBuckets() {
    }
}

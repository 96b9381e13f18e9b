package io.hotline.benchmarks;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One way of doing RPC, ready for load: its echo server in a JVM of its own ({@link EchoServerJvm}), its client in
 * this one.
 */
interface Contender extends AutoCloseable {

    /** The name in the report's rows, with the version measured. */
    String name();

    /** A call of the echo method with {@link Payload#ARGS}; completes with the decoded reply. */
    CompletableFuture<?> call();

    /** The process of its server, charged with the server's CPU. */
    long serverPid();

    /** Processes that carry messages between client and server (a broker), charged apart; none by default. */
    default List<Long> brokerPids() {
        return List.of();
    }

    /** Stops the client, then the server. */
    @Override
    void close();
}

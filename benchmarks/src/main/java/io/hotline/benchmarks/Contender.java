package io.hotline.benchmarks;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One way of doing RPC, with its echo server and its client running in this JVM, ready for load. */
interface Contender extends AutoCloseable {

    /** The name in the report's rows, with the version measured. */
    String name();

    /** A call of the echo method with {@link Payload#ARGS}; completes with the decoded reply. */
    CompletableFuture<?> call();

    /** Processes outside this JVM that work for this contender (a broker), charged with their CPU; none by default. */
    default List<Long> processes() {
        return List.of();
    }

    /** Stops the client, then the server. */
    @Override
    void close();
}

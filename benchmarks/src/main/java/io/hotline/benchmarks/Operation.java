package io.hotline.benchmarks;

import java.util.concurrent.CompletableFuture;

/** One request a {@link LoadDriver} sends: a call or a cast, completed when its reply or acknowledgement is in. */
@FunctionalInterface
interface Operation {

    /** Sends one request; the future completes, normally or not, within the contender's request timeout. */
    CompletableFuture<?> start();
}

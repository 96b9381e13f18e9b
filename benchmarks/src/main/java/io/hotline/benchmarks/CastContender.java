package io.hotline.benchmarks;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A contender that also casts: sends a message without waiting for its handling. */
interface CastContender extends Contender {

    /** A cast carrying {@link Payload#ARGS}; completes when the server side has accepted it (queued, confirmed). */
    CompletableFuture<?> cast();

    /**
     * Waits until the server has handled every cast accepted so far, so that a backlog left by the cast phase does
     * not run during the next contender's phase.
     *
     * @return how many were still unhandled when {@code timeout} ran out; 0 when all were handled
     */
    long awaitCastsHandled(Duration timeout) throws InterruptedException;
}

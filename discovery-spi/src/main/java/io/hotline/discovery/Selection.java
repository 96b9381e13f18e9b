package io.hotline.discovery;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One endpoint chosen by {@link Directory#select}, counted as in flight until closed. Closing it reports the call as
 * answered; a caller that got no answer (the connection was refused, or the call timed out) says so with
 * {@link #failed()} first, and the directory keeps its other callers away from the endpoint for a while.
 *
 * <pre>{@code
 * try (Selection s = directory.select(Query.of("nova.conductor"))) {
 *     try {
 *         send(s.endpoint());
 *     } catch (ConnectException | TimeoutException e) {
 *         s.failed();                 // ejected for 1 s, then 2 s, 4 s... while it keeps failing
 *         throw e;
 *     }
 * }
 * }</pre>
 */
public final class Selection implements AutoCloseable {

    private static final int OPEN = 0;
    private static final int FAILED = 1;
    private static final int CLOSED = 2;
    // A field updater instead of an AtomicInteger: one allocation less on every selection.
    private static final AtomicIntegerFieldUpdater<Selection> STATE =
            AtomicIntegerFieldUpdater.newUpdater(Selection.class, "state");

    private final Endpoint endpoint;
    private final boolean stale;
    private final EndpointState endpointState;
    private final int epoch;
    private volatile int state;

    Selection(Endpoint endpoint, boolean stale, EndpointState endpointState) {
        this.endpoint = endpoint;
        this.stale = stale;
        this.endpointState = endpointState;
        this.epoch = endpointState.epoch();
        endpointState.inFlight.incrementAndGet();
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    /**
     * True if this came from the last known list rather than the store's current answer: the store is unreachable,
     * or it came back and does not list this endpoint (yet); see {@link Directory}.
     */
    public boolean isStale() {
        return stale;
    }

    /**
     * Reports that the endpoint did not answer: it refused the connection, or the call timed out. The directory
     * ejects it: its selections pick other endpoints, if the query has any, for a backoff that starts at
     * {@link Directory.Builder#ejection the base} and doubles while it keeps failing; then one caller tries it again,
     * and an answer readmits it. Call before {@link #close()}; once closed, this does nothing.
     */
    public void failed() {
        if (STATE.compareAndSet(this, OPEN, FAILED)) {
            endpointState.failed(epoch);
        }
    }

    /** Ends the call: it no longer counts as in flight, and unless it {@link #failed()}, it was answered. Idempotent. */
    @Override
    public void close() {
        int was = STATE.getAndSet(this, CLOSED);
        if (was == CLOSED) {
            return;
        }
        endpointState.inFlight.decrementAndGet();
        if (was == OPEN) {
            endpointState.succeeded();
        }
    }
}

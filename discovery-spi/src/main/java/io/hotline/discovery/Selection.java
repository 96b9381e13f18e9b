package io.hotline.discovery;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One endpoint chosen by {@link Directory#select}, counted as in flight until closed.
 *
 * <pre>{@code
 * try (Selection s = directory.select(Query.of("nova.conductor"))) {
 *     send(s.endpoint());
 * }
 * }</pre>
 */
public final class Selection implements AutoCloseable {

    private final Endpoint endpoint;
    private final boolean stale;
    private final AtomicInteger inFlight;
    // A field updater instead of an AtomicBoolean: one allocation less on every selection.
    private static final AtomicIntegerFieldUpdater<Selection> CLOSED =
            AtomicIntegerFieldUpdater.newUpdater(Selection.class, "closed");
    private volatile int closed;

    Selection(Endpoint endpoint, boolean stale, AtomicInteger inFlight) {
        this.endpoint = endpoint;
        this.stale = stale;
        this.inFlight = inFlight;
        inFlight.incrementAndGet();
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    /** True if the store was unreachable and this came from the last known list. */
    public boolean isStale() {
        return stale;
    }

    /** Ends the call: it no longer counts as in flight. Idempotent. */
    @Override
    public void close() {
        if (CLOSED.compareAndSet(this, 0, 1)) {
            inFlight.decrementAndGet();
        }
    }
}

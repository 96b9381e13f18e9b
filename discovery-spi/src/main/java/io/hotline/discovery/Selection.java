package io.hotline.discovery;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

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
    private final AtomicBoolean closed = new AtomicBoolean();

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
        if (closed.compareAndSet(false, true)) {
            inFlight.decrementAndGet();
        }
    }
}

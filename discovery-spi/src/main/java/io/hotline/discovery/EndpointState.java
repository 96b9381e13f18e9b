package io.hotline.discovery;

import io.hotline.discovery.spi.Backoff;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * What a {@link Directory} knows of one endpoint beyond the store's word: its calls in flight from this directory,
 * and whether it is ejected for not answering. Kept across a service's snapshots by endpoint id, so that a change of
 * the list neither restarts the in-flight count nor forgets an ejection.
 *
 * <p>Ejection is outlier ejection as Envoy and gRPC do it: a selection reported {@link Selection#failed() failed}
 * ejects the endpoint for a backoff that doubles with each failure in a row, up to a maximum; once it is over, one
 * caller alone tries the endpoint again (the others keep away until that one reports), and a success clears it all.
 */
final class EndpointState {

    /** How long ejections last (doubling, no jitter), by a ticker (System.nanoTime but in tests). */
    record Ejection(Backoff backoff, LongSupplier ticker) {
        long backoffNanos(int failures) {
            return backoff.ceiling(failures).toNanos();
        }

        long maxNanos() {
            return backoff.max().toNanos();
        }
    }

    private static final long NOT_EJECTED = Long.MIN_VALUE;
    private static final VarHandle EJECTED_UNTIL;

    static {
        try {
            EJECTED_UNTIL = MethodHandles.lookup().findVarHandle(EndpointState.class, "ejectedUntil", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final AtomicInteger inFlight = new AtomicInteger();
    private final Ejection ejection;
    /** Ticker time until which no caller is admitted; NOT_EJECTED in the common case, which reads no clock. */
    private volatile long ejectedUntil = NOT_EJECTED;
    /** Counts ejections: a failure of a selection made before the latest one is already accounted for. */
    private volatile int epoch;
    /** Failures in a row, each doubling the next backoff. Guarded by this. */
    private int failures;

    EndpointState(Ejection ejection) {
        this.ejection = ejection;
    }

    /**
     * Whether a caller may use the endpoint now. Once a backoff is over, the first caller to ask is let through alone
     * and the others are kept away until it reports, or for the longest backoff should its selection never be closed.
     */
    boolean admits() {
        long until = ejectedUntil;
        if (until == NOT_EJECTED) {
            return true;
        }
        long now = ejection.ticker().getAsLong();
        return now - until >= 0 && EJECTED_UNTIL.compareAndSet(this, until, now + ejection.maxNanos());
    }

    boolean isEjected() {
        return ejectedUntil != NOT_EJECTED;
    }

    int epoch() {
        return epoch;
    }

    /** A selection made at {@code seenEpoch} got no answer: eject, unless an ejection since then already did. */
    synchronized void failed(int seenEpoch) {
        if (seenEpoch != epoch) {
            return;
        }
        failures = Math.min(failures + 1, Integer.MAX_VALUE - 1);
        ejectedUntil = ejection.ticker().getAsLong() + ejection.backoffNanos(failures);
        epoch++;
    }

    /** A call got an answer: whatever failed before, the endpoint answers now. */
    void succeeded() {
        if (ejectedUntil != NOT_EJECTED) {
            synchronized (this) {
                failures = 0;
                ejectedUntil = NOT_EJECTED;
            }
        }
    }
}

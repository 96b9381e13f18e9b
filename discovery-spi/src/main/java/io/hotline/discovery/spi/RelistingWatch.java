package io.hotline.discovery.spi;

import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.StoreUnavailableException;
import io.hotline.discovery.Zone;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link Watch} for stores without native change notification: it re-lists every poll interval and whenever
 * the store calls {@link #poke()}, and delivers a snapshot when the list differs from the last one delivered.
 *
 * <pre>{@code
 * public Watch watch(String service, Zone zone, WatchListener listener) {
 *     return RelistingWatch.start(() -> list(service, zone), listener, scheduler, Duration.ofSeconds(1));
 * }
 * }</pre>
 *
 * <p>Re-listings never overlap, so snapshots arrive in order. The first failure is reported with
 * {@link WatchListener#onError} and ends the watch, as {@link EndpointStore#watch} requires.
 */
public final class RelistingWatch implements Watch {

    private final Callable<List<EndpointStatus>> lister;
    private final WatchListener listener;
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean pokePending = new AtomicBoolean();
    private final Object relistLock = new Object();
    private volatile boolean closed;
    private Set<EndpointStatus> last;
    private volatile ScheduledFuture<?> polling;

    private RelistingWatch(Callable<List<EndpointStatus>> lister, WatchListener listener,
            ScheduledExecutorService scheduler) {
        this.lister = lister;
        this.listener = listener;
        this.scheduler = scheduler;
    }

    /**
     * Starts watching: the first listing runs at once on {@code scheduler}, then every {@code pollInterval}.
     *
     * @param lister lists the watched service and zone; a {@link StoreException} it throws ends the watch
     */
    public static RelistingWatch start(Callable<List<EndpointStatus>> lister, WatchListener listener,
            ScheduledExecutorService scheduler, Duration pollInterval) {
        Objects.requireNonNull(lister, "lister");
        Objects.requireNonNull(listener, "listener");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("poll interval " + pollInterval + " must be positive");
        }
        RelistingWatch w = new RelistingWatch(lister, listener, scheduler);
        w.polling = scheduler.scheduleWithFixedDelay(w::relist, 0, pollInterval.toNanos(), TimeUnit.NANOSECONDS);
        if (w.closed) {
            // The first listing failed and closed the watch before the schedule was stored.
            w.polling.cancel(false);
        }
        return w;
    }

    /** Something changed: re-list soon. Cheap, and safe to call from any thread; calls coalesce. */
    public void poke() {
        if (closed || !pokePending.compareAndSet(false, true)) {
            return;
        }
        try {
            scheduler.execute(() -> {
                pokePending.set(false);
                relist();
            });
        } catch (RejectedExecutionException e) {
            pokePending.set(false);
        }
    }

    private void relist() {
        synchronized (relistLock) {
            if (closed) {
                return;
            }
            List<EndpointStatus> now;
            try {
                now = lister.call();
            } catch (Exception e) {
                StoreException error = e instanceof StoreException se ? se
                        : new StoreUnavailableException("listing for a watch failed: " + e, e);
                close();
                listener.onError(error);
                return;
            }
            Set<EndpointStatus> set = new HashSet<>(now);
            if (!set.equals(last)) {
                last = set;
                listener.onSnapshot(List.copyOf(now));
            }
        }
    }

    /** Stops polling; never waits for a listing in progress, so it may be called from a listener callback. */
    @Override
    public void close() {
        closed = true;
        ScheduledFuture<?> p = polling;
        if (p != null) {
            p.cancel(false);
        }
    }
}

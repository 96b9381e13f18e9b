package io.hotline.discovery.redis;

import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.Zone;
import io.hotline.discovery.spi.Watch;
import io.hotline.discovery.spi.WatchListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One watch: reads the full state on the deployment's watch thread whenever a change notice, a (re)subscribe, the
 * next health deadline or the resync interval says so, and delivers it if it differs from the last. Reads requested
 * while one is pending coalesce, and the single thread keeps snapshots in order. Redis announces writes but not the
 * passing of time, so the watch schedules a read for the moment the nearest deadline passes: that read shows the
 * endpoint critical, or sweeps it and announces the sweep.
 */
final class RedisWatch implements Watch {

    /** After a deadline, so that the server's clock has certainly passed it when the read runs. */
    private static final Duration DEADLINE_MARGIN = Duration.ofMillis(5);

    private final RedisDeployment deployment;
    private final String service;
    private final Zone zone;
    private final WatchListener listener;
    private final ScheduledExecutorService executor;
    private final AtomicBoolean pending = new AtomicBoolean();
    private volatile boolean ended;
    private List<EndpointStatus> last;
    private volatile ScheduledFuture<?> timer;

    RedisWatch(RedisDeployment deployment, String service, Zone zone, WatchListener listener,
            ScheduledExecutorService executor) {
        this.deployment = deployment;
        this.service = service;
        this.zone = zone;
        this.listener = listener;
        this.executor = executor;
    }

    String service() {
        return service;
    }

    Zone zone() {
        return zone;
    }

    /** Asks for a read soon; does nothing if one is already pending. */
    void refresh() {
        if (!ended && pending.compareAndSet(false, true)) {
            submit(this::read);
        }
    }

    private void read() {
        pending.set(false);
        if (ended) {
            return;
        }
        RedisDeployment.Snapshot s;
        try {
            s = deployment.read(service, zone);
        } catch (StoreException e) {
            end(e);
            return;
        } catch (RuntimeException e) {
            end(new StoreException("reading " + service + " in zone " + zone + " from Redis "
                    + deployment.settings() + " failed: " + e, e));
            return;
        }
        if (ended) {
            return;
        }
        if (!s.statuses().equals(last)) {
            last = s.statuses();
            listener.onSnapshot(last);
        }
        Duration resync = deployment.settings().resyncInterval();
        Duration wait = s.nextChange().map(d -> d.plus(DEADLINE_MARGIN)).filter(d -> d.compareTo(resync) < 0)
                .orElse(resync);
        if (timer != null) {
            timer.cancel(false);
        }
        try {
            timer = executor.schedule(this::refresh, wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // The store is closing.
            ended = true;
        }
    }

    /** Ends the watch with {@code error}: one {@code onError}, delivered on the watch thread after any snapshot. */
    void fail(StoreException error) {
        submit(() -> end(error));
    }

    private void end(StoreException error) {
        if (ended) {
            return;
        }
        close();
        listener.onError(error);
    }

    private void submit(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            // The store is closing; its watches end silently, as closed watches do.
            ended = true;
        }
    }

    @Override
    public void close() {
        ended = true;
        deployment.forget(this);
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
    }
}

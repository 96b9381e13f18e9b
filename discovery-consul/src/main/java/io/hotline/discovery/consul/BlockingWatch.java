package io.hotline.discovery.consul;

import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.Untrusted;
import io.hotline.discovery.spi.Backoff;
import io.hotline.discovery.spi.Watch;
import io.hotline.discovery.spi.WatchListener;
import java.math.BigInteger;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A watch by Consul blocking queries: read the service's health with the last index and a wait, deliver the list
 * when it differs from the last one delivered, repeat.
 *
 * <p>Division of labour with the core: this loop rides out a brief failure (one query timing out, a 500 while the
 * servers elect a leader) by retrying {@value #RETRIES} times with a short exponential backoff, and after any failure
 * it re-reads fully (index 0, no wait) before blocking again, because an agent that restarted meanwhile starts its
 * indexes over and a query blocking on the old index would sleep through changes. Consul's rule that an index going
 * backwards means a reset is kept the same way. Only when the agent stays unreachable does the watch end with one
 * {@link WatchListener#onError}; the {@link io.hotline.discovery.Directory} then serves its cache as stale and opens a
 * new watch with its own, longer backoff.
 */
final class BlockingWatch implements Watch {

    private static final Logger log = LoggerFactory.getLogger(BlockingWatch.class);

    static final int RETRIES = 3;
    /** 100, 200, 400 ms, the delays before the {@value #RETRIES} retries; no jitter, as one agent serves them. */
    private static final Backoff BACKOFF = Backoff.exponential(Duration.ofMillis(100), Duration.ofMillis(400));

    /** One read: the entries and Consul's index for them. */
    interface Reader {
        Page read(BigInteger index) throws StoreException;
    }

    record Page(List<EndpointStatus> endpoints, BigInteger index) {}

    private final String what;
    private final Reader reader;
    private final WatchListener listener;
    private volatile boolean closed;
    private volatile Future<?> loop;

    private BlockingWatch(String what, Reader reader, WatchListener listener) {
        this.what = what;
        this.reader = reader;
        this.listener = listener;
    }

    /**
     * Starts the loop on {@code executor}.
     *
     * @param what names the watch in log lines, e.g. {@code nova.conductor in dc1}
     */
    static BlockingWatch start(String what, Reader reader, WatchListener listener, ExecutorService executor) {
        BlockingWatch w = new BlockingWatch(what, reader, listener);
        try {
            w.loop = executor.submit(w::run);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the consul store is closed", e);
        }
        return w;
    }

    private void run() {
        BigInteger index = BigInteger.ZERO;
        Set<EndpointStatus> last = null;
        int failures = 0;
        while (!closed) {
            Page page;
            try {
                page = reader.read(index);
            } catch (StoreException e) {
                if (closed) {
                    return;
                }
                failures++;
                if (failures > RETRIES) {
                    listener.onError(e);
                    return;
                }
                log.debug("watch of {} failed ({} of {} retries): {}", what, failures, RETRIES,
                        Untrusted.escape(e.getMessage()));
                index = BigInteger.ZERO;
                if (!sleep(BACKOFF.delay(failures))) {
                    return;
                }
                continue;
            } catch (RuntimeException e) {
                if (!closed) {
                    listener.onError(new StoreException("watch of " + what + " failed unexpectedly: " + e, e));
                }
                return;
            }
            failures = 0;
            Set<EndpointStatus> now = new HashSet<>(page.endpoints());
            if (closed) {
                return;
            }
            if (!now.equals(last)) {
                last = now;
                listener.onSnapshot(page.endpoints());
            }
            BigInteger next = page.index() == null ? BigInteger.ZERO : page.index();
            // Consul: an index that goes backwards means the state was reset; never block on index 0.
            index = next.compareTo(index) < 0 || next.signum() <= 0 ? BigInteger.ONE : next;
        }
    }

    private boolean sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
            return !closed;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        closed = true;
        Future<?> f = loop;
        if (f != null) {
            f.cancel(true);
        }
    }
}

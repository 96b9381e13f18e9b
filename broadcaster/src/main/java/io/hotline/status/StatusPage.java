package io.hotline.status;

import io.hotline.discovery.Directory;
import io.hotline.discovery.Untrusted;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.server.ListenerSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.server.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live status page: zones, services, endpoints with health, calls per second and latency per service, fanout
 * outcomes. A Jetty {@link Handler} any Hotline process can serve: {@code hotline status} serves it alone, a
 * broadcaster under {@code /status/}.
 *
 * <pre>{@code
 * try (StatusPage page = StatusPage.builder(store).services(List.of("nova.compute")).token(token).build()) {
 *     HttpListener listener = HttpListener.start(ListenerSettings.DEFAULT, "hotline-status", page.handler());
 *     ...                                  // GET / is the page, GET /api/status its JSON
 * }
 * }</pre>
 *
 * <p>Endpoints and health come from a {@link Directory} (kept current by the store's watches). The store does not
 * say when an endpoint last heartbeated, so the page shows what it observed: when it last saw each endpoint passing
 * and since when its health is what it is. Calls per second and mean latency per service are the difference
 * between two scrapes of each passing server's {@code GET /metrics} ({@code hotline_rpc_server_requests_seconds},
 * kind {@code call}); fanout outcomes are the broadcasters' {@code hotline_broadcaster_deliveries_total}.
 *
 * <p>This class schedules the collections (pausing them while nobody looks, when {@link Builder#idleAfter} is set)
 * and keeps the last snapshot; its parts are the routes ({@code StatusRoutes}), the collection ({@code Collector}),
 * the scraping ({@code Scraper}) and the snapshot the JSON is made of ({@code Snapshot}).
 */
public final class StatusPage implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StatusPage.class);

    private final String path;
    private final String required;
    private final Duration idleAfter;
    private volatile long lastFetchNanos;
    private final Directory directory;
    private final boolean ownsDirectory;
    private final Collector collector;
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private volatile Snapshot snapshot;

    private StatusPage(Builder b) {
        this.path = b.path;
        this.required = b.required;
        this.idleAfter = b.idleAfter;
        // Idle from the start: nobody has looked yet.
        this.lastFetchNanos = System.nanoTime() - (idleAfter == null ? 0 : idleAfter.toNanos() + 1);
        this.ownsDirectory = b.directory == null;
        this.directory = ownsDirectory ? Directory.builder(b.store).build() : b.directory;
        this.collector = new Collector(b.store, directory, new Scraper(b.token, b.sslContext, b.scrapeDeadline),
                b.services, b.refresh, b.ownMetrics);
        this.snapshot = collector.notCollectedYet();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hotline-status");
            t.setDaemon(true);
            return t;
        });
        if (idleAfter == null) {
            requestRefresh();
        }
        scheduler.scheduleWithFixedDelay(this::collectQuietly, b.refresh.toMillis(), b.refresh.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Starts configuring a page over {@code store}; the store stays the caller's to close. */
    public static Builder builder(EndpointStore store) {
        return new Builder(store);
    }

    /**
     * Serves, under the {@linkplain Builder#path path}, {@code GET {path}} (the page), {@code {path}status.js} and
     * {@code {path}api/status} (the JSON); {@code GET} of the path without its slash redirects to it, so that the
     * page's relative URLs work. Declines every other request, for a handler after it to answer.
     */
    public Handler handler() {
        // Never waits for a collection: a fetch answers the last snapshot.
        return new StatusRoutes(path, required, this::fetch);
    }

    /**
     * What {@code GET /api/status} answers now, e.g. {@code {"collectedAt":"2026-01-05T10:00:00Z",...,"ageMillis":12}};
     * unlike a fetch over HTTP, it neither counts as a look at the page nor asks for a collection.
     */
    public String snapshotJson() {
        return new String(snapshot.agedAt(Instant.now()).toJson(), StandardCharsets.UTF_8);
    }

    /**
     * Shows {@code service} from now on, e.g. one a broadcaster has fanned out to. Past 64 added services, further
     * ones are not shown (each costs a scrape of its servers per refresh) and a warning says so.
     *
     * @throws IllegalArgumentException if no server could register under the name
     */
    public void addService(String service) {
        collector.addService(service);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        if (ownsDirectory) {
            directory.close();
        }
    }

    /** The keys (service|id) of the endpoints the page keeps what it saw of. */
    Set<String> observedKeys() {
        return collector.observedKeys();
    }

    /**
     * The last snapshot, with its age; never collects on the caller's thread. After an idle spell, or before the first
     * collection, it asks for one in the background, which the next fetch shows.
     */
    private Snapshot fetch() {
        long now = System.nanoTime();
        boolean idle = idleAfter != null && now - lastFetchNanos > idleAfter.toNanos();
        lastFetchNanos = now;
        Snapshot last = snapshot;
        if (idle || last.collectedAt() == null) {
            requestRefresh();
        }
        return last.agedAt(Instant.now());
    }

    /** Queues one collection on the page's thread unless one is queued already. */
    private void requestRefresh() {
        if (refreshQueued.compareAndSet(false, true)) {
            try {
                scheduler.execute(() -> {
                    refreshQueued.set(false);
                    collectLogged();
                });
            } catch (RejectedExecutionException closed) {
                refreshQueued.set(false);
            }
        }
    }

    private void collectQuietly() {
        if (idleAfter != null && System.nanoTime() - lastFetchNanos > idleAfter.toNanos()) {
            return;
        }
        collectLogged();
    }

    /**
     * One refresh, on the page's single thread, taking bounded time whatever the fleet's size: the scrapes run
     * concurrently within the scrape deadline.
     */
    private void collectLogged() {
        try {
            snapshot = collector.collect();
        } catch (RuntimeException e) {
            log.warn("status collection failed; the page shows the last one: {}", Untrusted.escape(e));
        }
    }

    /** Configures a {@link StatusPage}. */
    public static final class Builder {
        private final EndpointStore store;
        private List<String> services = List.of();
        private String token;
        private Duration refresh = Duration.ofSeconds(1);
        private String path = "/";
        private String required;
        private Supplier<String> ownMetrics;
        private Duration idleAfter;
        private Directory directory;
        private SSLContext sslContext;
        private Duration scrapeDeadline = Duration.ofSeconds(10);

        private Builder(EndpointStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /** The services to show; hotline.broadcaster is always shown (the store cannot list services). */
        public Builder services(List<String> services) {
            this.services = List.copyOf(services);
            return this;
        }

        /** Sent to servers' {@code /metrics} as {@code Authorization: Bearer token} (hotline.http.token). */
        public Builder token(String token) {
            this.token = token == null || token.isEmpty() ? null : token;
            return this;
        }

        /** How often to refresh; 1 s. */
        public Builder refresh(Duration refresh) {
            if (refresh == null || refresh.toMillis() < 100) {
                throw new IllegalArgumentException("status refresh " + refresh + " must be at least 100ms");
            }
            this.refresh = refresh;
            return this;
        }

        /**
         * Where the page is served: {@code "/"} (the default) or a prefix such as {@code "/status/"}, which must
         * start and end with a slash.
         */
        public Builder path(String path) {
            if (path == null || !path.startsWith("/") || !path.endsWith("/") || path.contains("//")) {
                throw new IllegalArgumentException("status path " + path + " must start and end with '/', e.g. /status/");
            }
            this.path = path;
            return this;
        }

        /**
         * Requires {@code Authorization: Bearer token} on the JSON (401 without, 403 with a wrong one), as a server
         * does on {@code /metrics}. The page and its script stay open: they hold no data, and the page sends the
         * token it is given as {@code #token=...} in its URL (never sent to a server) or typed into its form.
         */
        public Builder requireToken(String token) {
            if (token == null || token.isEmpty()) {
                throw new IllegalArgumentException("the status token is empty; leave it unset to serve the JSON openly");
            }
            this.required = token;
            return this;
        }

        /**
         * The Prometheus text of the process serving the page, read at each refresh: its fanout outcomes are shown as
         * its own ({@code ownFanout}), beside the sum over every broadcaster.
         */
        public Builder ownMetrics(Supplier<String> prometheusText) {
            this.ownMetrics = Objects.requireNonNull(prometheusText, "prometheusText");
            return this;
        }

        /**
         * Collects only while watched: after {@code idle} without a fetch of the JSON, refreshing pauses (no scrapes);
         * the next fetch answers the last snapshot (its {@code ageMillis} says how old) and starts a refresh. Unset, the page collects from the start, all the time.
         */
        public Builder idleAfter(Duration idle) {
            if (idle == null || idle.isNegative() || idle.isZero()) {
                throw new IllegalArgumentException("status idle time " + idle + " must be positive");
            }
            this.idleAfter = idle;
            return this;
        }

        /**
         * Resolves through {@code shared}, e.g. the process's own, so that the page adds no watches of its own; the
         * page does not close it. A directory of its own over the store unless set.
         */
        public Builder directory(Directory shared) {
            this.directory = Objects.requireNonNull(shared, "shared");
            return this;
        }

        /**
         * The TLS set-up for scraping {@code https} servers, e.g. the cluster's CA and client certificate:
         * {@code PemTls.clientContext(PemTls.trustManager(caFile), clientCert, clientKey)}. The JDK's default CAs and
         * no client certificate unless set.
         */
        public Builder sslContext(SSLContext context) {
            this.sslContext = Objects.requireNonNull(context, "context");
            return this;
        }

        /**
         * How long one refresh may spend scraping, at most; 10 s. Servers not scraped by then keep their last
         * figures until the next refresh; each scrape also times out after 2 s.
         */
        public Builder scrapeDeadline(Duration deadline) {
            if (deadline == null || deadline.toMillis() < 100) {
                throw new IllegalArgumentException("status scrape deadline " + deadline + " must be at least 100ms");
            }
            this.scrapeDeadline = deadline;
            return this;
        }

        public StatusPage build() {
            return new StatusPage(this);
        }
    }
}

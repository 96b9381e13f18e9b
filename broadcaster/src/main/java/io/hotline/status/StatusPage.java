package io.hotline.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hotline.discovery.Directory;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Query;
import io.hotline.discovery.Untrusted;
import io.hotline.discovery.Zone;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.ListenerSettings;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.internal.security.TokenCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
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
 */
public final class StatusPage implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StatusPage.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Services added at run time beyond the configured ones, at most: each costs a scrape of its servers. */
    private static final int MAX_ADDED_SERVICES = 64;
    /** Scrapes in flight at once, at most: enough to scrape thousands of servers in seconds, few enough to be polite. */
    static final int MAX_CONCURRENT_SCRAPES = 24;
    private static final Duration SCRAPE_TIMEOUT = Duration.ofSeconds(2);
    private static final List<String> OUTCOMES = List.of("delivered", "refused", "timed_out", "rejected", "error");

    private final EndpointStore store;
    private final Set<String> services;
    private final int configuredServices;
    private final String token;
    private final Duration refresh;
    private final String path;
    private final TokenCheck required;
    private final Supplier<String> ownMetrics;
    private final Duration idleAfter;
    private volatile long lastFetchNanos;
    private final Directory directory;
    private final boolean ownsDirectory;
    private final HttpClient http;
    private final ScheduledExecutorService scheduler;
    private final Duration scrapeDeadline;
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private final Map<String, Observed> observed = new ConcurrentHashMap<>();
    /** Servers whose last scrape failed: their next failures are logged at DEBUG only. */
    private final Set<String> failing = ConcurrentHashMap.newKeySet();
    private final byte[] page;
    private final byte[] script;
    private volatile Map<String, Object> snapshot;

    private StatusPage(Builder b) {
        this.store = b.store;
        LinkedHashSet<String> all = new LinkedHashSet<>(b.services);
        all.add(RpcClient.BROADCASTER_SERVICE);
        this.services = Collections.synchronizedSet(all);
        this.configuredServices = all.size();
        this.token = b.token;
        this.refresh = b.refresh;
        this.path = b.path;
        this.required = b.required == null ? null : new TokenCheck(b.required);
        this.ownMetrics = b.ownMetrics;
        this.idleAfter = b.idleAfter;
        // Idle from the start: nobody has looked yet.
        this.lastFetchNanos = System.nanoTime() - (idleAfter == null ? 0 : idleAfter.toNanos() + 1);
        this.page = resource("index.html");
        this.script = resource("status.js");
        this.ownsDirectory = b.directory == null;
        this.directory = ownsDirectory ? Directory.builder(store).build() : b.directory;
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(SCRAPE_TIMEOUT);
        if (b.sslContext != null) {
            client.sslContext(b.sslContext);
        }
        this.http = client.build();
        this.scrapeDeadline = b.scrapeDeadline;
        this.snapshot = notCollectedYet();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hotline-status");
            t.setDaemon(true);
            return t;
        });
        if (idleAfter == null) {
            requestRefresh();
        }
        scheduler.scheduleWithFixedDelay(this::collectQuietly, refresh.toMillis(), refresh.toMillis(),
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
        return new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                if (!HttpMethod.GET.is(request.getMethod()) && !HttpMethod.HEAD.is(request.getMethod())) {
                    return false;
                }
                String at = Request.getPathInContext(request);
                if (path.length() > 1 && at.equals(path.substring(0, path.length() - 1))) {
                    Response.sendRedirect(request, response, callback, path);
                    return true;
                }
                if (!at.startsWith(path)) {
                    return false;
                }
                switch (at.substring(path.length())) {
                    case "", "index.html" -> send(response, callback, HttpStatus.OK_200, "text/html; charset=utf-8", page);
                    case "status.js" -> send(response, callback, HttpStatus.OK_200, "text/javascript; charset=utf-8",
                            script);
                    case "api/status" -> {
                        if (admitted(request, response, callback)) {
                            send(response, callback, HttpStatus.OK_200, "application/json", JSON.writeValueAsBytes(fetch()));
                        }
                    }
                    default -> {
                        return false;
                    }
                }
                return true;
            }
        };
    }

    /** What {@code GET /api/status} answers now. */
    public Map<String, Object> snapshot() {
        return snapshot;
    }

    /**
     * Shows {@code service} from now on, e.g. one a broadcaster has fanned out to. Past 64 added services, further
     * ones are not shown (each costs a scrape of its servers per refresh) and a warning says so.
     *
     * @throws IllegalArgumentException if no server could register under the name
     */
    public void addService(String service) {
        Query.of(service);
        synchronized (services) {
            if (services.contains(service)) {
                return;
            }
            if (services.size() - configuredServices >= MAX_ADDED_SERVICES) {
                log.warn("the status page shows {} services already; {} is not added", services.size(), service);
                return;
            }
            services.add(service);
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        if (ownsDirectory) {
            directory.close();
        }
    }

    /** The JSON is metrics, so it needs the token the rest of the process needs; the page and script hold no data. */
    private boolean admitted(Request request, Response response, Callback callback) throws JsonProcessingException {
        if (required == null) {
            return true;
        }
        TokenCheck.Verdict verdict = required.verdict(request.getHeaders().getValuesList(HttpHeader.AUTHORIZATION));
        if (verdict == TokenCheck.Verdict.SEVERAL) {
            send(response, callback, HttpStatus.BAD_REQUEST_400, "application/json",
                    error("InvalidRequest", TokenCheck.ONE_HEADER));
            return false;
        }
        if (verdict == TokenCheck.Verdict.MISSING) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
            send(response, callback, HttpStatus.UNAUTHORIZED_401, "application/json", error("AccessDenied",
                    "the status needs a token: send Authorization: Bearer <hotline.http.token>, or open the page as"
                    + " status/#token=<token>"));
            return false;
        }
        if (verdict == TokenCheck.Verdict.WRONG) {
            send(response, callback, HttpStatus.FORBIDDEN_403, "application/json",
                    error("AccessDenied", "the token is wrong; use the cluster's hotline.http.token"));
            return false;
        }
        return true;
    }

    private static byte[] error(String type, String message) throws JsonProcessingException {
        return JSON.writeValueAsBytes(Map.of("error", Map.of("type", type, "message", message)));
    }

    /**
     * The last snapshot, with its age; never collects on the caller's thread. After an idle spell, or before the first
     * collection, it asks for one in the background, which the next fetch shows.
     */
    private Map<String, Object> fetch() {
        long now = System.nanoTime();
        boolean idle = idleAfter != null && now - lastFetchNanos > idleAfter.toNanos();
        lastFetchNanos = now;
        Map<String, Object> last = snapshot;
        if (idle || last.get("collectedAt") == null) {
            requestRefresh();
        }
        Map<String, Object> answer = new LinkedHashMap<>(last);
        Object at = last.get("collectedAt");
        answer.put("ageMillis", at == null ? null
                : Math.max(0, Duration.between(Instant.parse((String) at), Instant.now()).toMillis()));
        return answer;
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

    private static void send(Response response, Callback callback, int status, String type, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    private static byte[] resource(String name) {
        try (InputStream in = StatusPage.class.getResourceAsStream(name)) {
            return Objects.requireNonNull(in, name + " is missing from the jar").readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void collectQuietly() {
        if (idleAfter != null && System.nanoTime() - lastFetchNanos > idleAfter.toNanos()) {
            return;
        }
        collectLogged();
    }

    private void collectLogged() {
        try {
            collect();
        } catch (RuntimeException e) {
            log.warn("status collection failed; the page shows the last one: {}", Untrusted.escape(e));
        }
    }

    /**
     * One refresh, on the page's single thread: endpoints and health from the directory, then rates from the passing
     * servers' metrics, scraped concurrently (at most {@value #MAX_CONCURRENT_SCRAPES} at a time) within the scrape
     * deadline, so that a refresh takes bounded time whatever the fleet's size. A server not scraped in time keeps
     * the figures of its last scrape.
     */
    private void collect() {
        List<String> shown;
        synchronized (services) {
            shown = List.copyOf(services);
        }
        Map<String, List<EndpointStatus>> resolved = new LinkedHashMap<>();
        Set<String> passing = new LinkedHashSet<>();
        for (String service : shown) {
            List<EndpointStatus> statuses = directory.resolve(Query.of(service).allZones().includingUnhealthy())
                    .statuses();
            resolved.put(service, statuses);
            statuses.stream().filter(EndpointStatus::isPassing).forEach(s -> passing.add(s.endpoint().baseUri()));
        }
        // Servers that answered last time first: a fleet with many stalled ones still shows the live ones.
        List<String> order = Stream.concat(passing.stream().filter(u -> !failing.contains(u)),
                passing.stream().filter(failing::contains)).toList();
        Map<String, MetricsText> scraped = scrapeAll(order);
        Instant now = Instant.now();
        List<Map<String, Object>> serviceRows = new ArrayList<>();
        Map<String, Double> deliveries = new LinkedHashMap<>();
        double fanouts = 0;
        Set<String> seen = new LinkedHashSet<>();
        for (Map.Entry<String, List<EndpointStatus>> entry : resolved.entrySet()) {
            String service = entry.getKey();
            List<EndpointStatus> statuses = entry.getValue();
            List<Map<String, Object>> rows = new ArrayList<>();
            double rate = 0;
            double deltaCalls = 0;
            double deltaSeconds = 0;
            double calls = 0;
            int passingHere = 0;
            for (EndpointStatus s : statuses) {
                Endpoint e = s.endpoint();
                String key = service + "|" + e.id();
                seen.add(key);
                Observed o = observed.computeIfAbsent(key, k -> new Observed());
                o.health(s.health().name().toLowerCase(Locale.ROOT), now);
                MetricsText m = null;
                if (s.isPassing()) {
                    passingHere++;
                    o.lastPassing = now;
                    m = scraped.get(e.baseUri());
                }
                if (m != null) {
                    if (o.metrics != null && o.scrapedAt != null) {
                        double dt = Duration.between(o.scrapedAt, now).toNanos() / 1e9;
                        double dc = Math.max(0, m.calls() - o.metrics.calls());
                        deltaCalls += dc;
                        deltaSeconds += Math.max(0, m.callSeconds() - o.metrics.callSeconds());
                        rate += dt > 0 ? dc / dt : 0;
                    }
                    o.metrics = m;
                    o.scrapedAt = now;
                    fanouts += m.clientFanouts();
                    m.deliveries().forEach((k, v) -> deliveries.merge(k, v, Double::sum));
                }
                calls += o.metrics != null ? o.metrics.calls() : 0;
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", e.id());
                row.put("server", e.server());
                row.put("zone", e.zone().path());
                row.put("address", e.baseUri());
                row.put("health", o.health);
                row.put("healthSince", o.healthSince.toString());
                row.put("lastSeenPassing", o.lastPassing == null ? null : o.lastPassing.toString());
                row.put("scrapedAt", o.scrapedAt == null ? null : o.scrapedAt.toString());
                row.put("calls", o.metrics != null ? (long) o.metrics.calls() : null);
                row.put("casts", o.metrics != null ? (long) o.metrics.casts() : null);
                rows.add(row);
            }
            Map<String, Object> svc = new LinkedHashMap<>();
            svc.put("name", service);
            svc.put("registered", statuses.size());
            svc.put("passing", passingHere);
            svc.put("calls", (long) calls);
            svc.put("callsPerSecond", round(rate));
            svc.put("meanLatencyMs", deltaCalls > 0 ? round(deltaSeconds * 1000 / deltaCalls) : null);
            svc.put("endpoints", rows);
            serviceRows.add(svc);
        }
        // Endpoints gone from the directory (e.g. restarted on another ephemeral port) are forgotten.
        observed.keySet().retainAll(seen);
        failing.retainAll(passing);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("collectedAt", now.toString());
        s.put("refreshMillis", refresh.toMillis());
        s.put("homeZone", store.homeZone().path());
        s.put("zones", zones());
        s.put("services", serviceRows);
        s.put("scraped", scraped.size());
        s.put("notScraped", passing.size() - scraped.size());
        s.put("fanout", fanoutRow(fanouts, deliveries));
        if (ownMetrics != null) {
            MetricsText own = MetricsText.parse(ownMetrics.get());
            s.put("ownFanout", fanoutRow(own.clientFanouts(), own.deliveries()));
        }
        snapshot = Collections.unmodifiableMap(s);
    }

    /**
     * The metrics of each server that answered in time: at most {@value #MAX_CONCURRENT_SCRAPES} requests in flight,
     * none started or awaited past the scrape deadline.
     */
    private Map<String, MetricsText> scrapeAll(List<String> servers) {
        long deadline = System.nanoTime() + scrapeDeadline.toNanos();
        Semaphore slots = new Semaphore(MAX_CONCURRENT_SCRAPES);
        Map<String, MetricsText> scraped = new ConcurrentHashMap<>();
        List<CompletableFuture<?>> inFlight = new ArrayList<>();
        try {
            for (String server : servers) {
                if (!slots.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    break;
                }
                CompletableFuture<HttpResponse<String>> sent = scrape(server);
                inFlight.add(sent);
                sent.handle((r, failure) -> {
                    try {
                        MetricsText m = outcome(server, r, failure);
                        if (m != null) {
                            scraped.put(server, m);
                        }
                    } finally {
                        slots.release();
                    }
                    return null;
                });
            }
            // Every slot back: every scrape started has been handled.
            if (!slots.tryAcquire(MAX_CONCURRENT_SCRAPES, Math.max(0, deadline - System.nanoTime()),
                    TimeUnit.NANOSECONDS)) {
                log.debug("status scrapes past the {} deadline are left out of this refresh", scrapeDeadline);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inFlight.forEach(f -> f.cancel(true));
        }
        return Map.copyOf(scraped);
    }

    /** The keys (service|id) of the endpoints the page keeps what it saw of. */
    Set<String> observedKeys() {
        return Set.copyOf(observed.keySet());
    }

    /** What a fetch answers before the first collection: nothing seen yet, {@code collectedAt} null. */
    private Map<String, Object> notCollectedYet() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("collectedAt", null);
        s.put("refreshMillis", refresh.toMillis());
        s.put("homeZone", store.homeZone().path());
        s.put("zones", List.of());
        s.put("services", List.of());
        s.put("fanout", fanoutRow(0, Map.of()));
        return Collections.unmodifiableMap(s);
    }

    private static Map<String, Object> fanoutRow(double fanouts, Map<String, Double> deliveries) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("fanouts", (long) fanouts);
        for (String outcome : OUTCOMES) {
            row.put(outcome, deliveries.getOrDefault(outcome, 0.0).longValue());
        }
        return row;
    }

    /** The home zone's path first, then the store's other zones' by path. */
    private List<String> zones() {
        String home = store.homeZone().path();
        return Stream.concat(Stream.of(home), store.zones().stream().map(Zone::path).filter(z -> !z.equals(home))
                .sorted().distinct()).toList();
    }

    /** Sends {@code GET /metrics} to one server, with the token. */
    private CompletableFuture<HttpResponse<String>> scrape(String server) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server + "/metrics"))
                .timeout(SCRAPE_TIMEOUT).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** A scrape's metrics, or null; the first failure in a row of a server at WARN, the rest at DEBUG. */
    private MetricsText outcome(String server, HttpResponse<String> r, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                : failure;
        String problem = cause instanceof CancellationException ? "no answer within the scrape deadline"
                : cause != null ? cause.toString()
                : r.statusCode() != 200 ? "it answered HTTP " + r.statusCode() : null;
        if (problem == null) {
            failing.remove(server);
            return MetricsText.parse(r.body());
        }
        if (failing.add(server)) {
            log.warn("the status page cannot scrape {}/metrics ({}); until it can, its figures are not"
                    + " updated and further failures are logged at DEBUG", server, Untrusted.escape(problem));
        } else {
            log.debug("cannot scrape {}/metrics: {}", server, Untrusted.escape(problem));
        }
        return null;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    /** What the page has seen of one endpoint across refreshes. */
    private static final class Observed {
        String health;
        Instant healthSince;
        Instant lastPassing;
        MetricsText metrics;
        Instant scrapedAt;

        void health(String now, Instant at) {
            if (!now.equals(health)) {
                health = now;
                healthSince = at;
            }
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

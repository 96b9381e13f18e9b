package io.hotline.cli;

import io.hotline.discovery.Directory;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.EndpointStore;
import io.hotline.discovery.Query;
import io.hotline.discovery.Zone;
import io.hotline.rpc.RpcClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live status page: zones, services, endpoints with health, calls per second and latency per service, fanout
 * outcomes. A Jetty {@link Handler} any Hotline process can serve; {@code hotline status} serves it alone.
 *
 * <pre>{@code
 * try (StatusPage page = StatusPage.builder(store).services(List.of("nova.compute")).token(token).build()) {
 *     HttpListener listener = HttpListener.start(HttpListener.Settings.DEFAULT, "hotline-status", page.handler());
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

    private final EndpointStore store;
    private final List<String> services;
    private final String token;
    private final Duration refresh;
    private final Directory directory;
    private final HttpClient http;
    private final ScheduledExecutorService scheduler;
    private final Map<String, Observed> observed = new ConcurrentHashMap<>();
    private final byte[] page;
    private final byte[] script;
    private volatile Map<String, Object> snapshot = Map.of();

    private StatusPage(Builder b) {
        this.store = b.store;
        LinkedHashSet<String> all = new LinkedHashSet<>(b.services);
        all.add(RpcClient.BROADCASTER_SERVICE);
        this.services = List.copyOf(all);
        this.token = b.token;
        this.refresh = b.refresh;
        this.page = resource("status/index.html");
        this.script = resource("status/status.js");
        this.directory = Directory.builder(store).build();
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hotline-status");
            t.setDaemon(true);
            return t;
        });
        collect();
        scheduler.scheduleWithFixedDelay(this::collectQuietly, refresh.toMillis(), refresh.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Starts configuring a page over {@code store}; the store stays the caller's to close. */
    public static Builder builder(EndpointStore store) {
        return new Builder(store);
    }

    /** Serves {@code GET /} (the page), {@code GET /status.js} and {@code GET /api/status} (the JSON). */
    public Handler handler() {
        return new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String path = Request.getPathInContext(request);
                if (!HttpMethod.GET.is(request.getMethod()) && !HttpMethod.HEAD.is(request.getMethod())) {
                    return false;
                }
                switch (path) {
                    case "/", "/index.html" -> send(response, callback, "text/html; charset=utf-8", page);
                    case "/status.js" -> send(response, callback, "text/javascript; charset=utf-8", script);
                    case "/api/status" -> send(response, callback, "application/json",
                            TargetOptions.JSON.writeValueAsBytes(snapshot));
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

    @Override
    public void close() {
        scheduler.shutdownNow();
        directory.close();
    }

    private static void send(Response response, Callback callback, String type, byte[] body) {
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, java.nio.ByteBuffer.wrap(body), callback);
    }

    private static byte[] resource(String name) {
        try (InputStream in = StatusPage.class.getResourceAsStream(name)) {
            return Objects.requireNonNull(in, name + " is missing from the jar").readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void collectQuietly() {
        try {
            collect();
        } catch (RuntimeException e) {
            log.warn("status collection failed; the page shows the last one: {}", e.toString());
        }
    }

    /** One refresh: endpoints and health from the directory, rates from the passing servers' metrics. */
    private void collect() {
        Instant now = Instant.now();
        List<Map<String, Object>> serviceRows = new ArrayList<>();
        Map<String, Double> deliveries = new LinkedHashMap<>();
        double fanouts = 0;
        for (String service : services) {
            List<EndpointStatus> statuses = directory.resolve(Query.of(service).allZones().includingUnhealthy())
                    .statuses();
            List<Map<String, Object>> rows = new ArrayList<>();
            double rate = 0;
            double deltaCalls = 0;
            double deltaSeconds = 0;
            double calls = 0;
            int passing = 0;
            for (EndpointStatus s : statuses) {
                Endpoint e = s.endpoint();
                Observed o = observed.computeIfAbsent(service + "|" + e.id(), k -> new Observed());
                o.health(s.health().name().toLowerCase(Locale.ROOT), now);
                MetricsText m = null;
                if (s.isPassing()) {
                    passing++;
                    o.lastPassing = now;
                    m = scrape(e);
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
                    fanouts += m.fanouts();
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
                row.put("calls", o.metrics != null ? (long) o.metrics.calls() : null);
                row.put("casts", o.metrics != null ? (long) o.metrics.casts() : null);
                rows.add(row);
            }
            Map<String, Object> svc = new LinkedHashMap<>();
            svc.put("name", service);
            svc.put("registered", statuses.size());
            svc.put("passing", passing);
            svc.put("calls", (long) calls);
            svc.put("callsPerSecond", round(rate));
            svc.put("meanLatencyMs", deltaCalls > 0 ? round(deltaSeconds * 1000 / deltaCalls) : null);
            svc.put("endpoints", rows);
            serviceRows.add(svc);
        }
        Map<String, Object> fanoutRow = new LinkedHashMap<>();
        fanoutRow.put("fanouts", (long) fanouts);
        for (String outcome : List.of("delivered", "refused", "timed_out", "rejected", "error")) {
            fanoutRow.put(outcome, deliveries.getOrDefault(outcome, 0.0).longValue());
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("generatedAt", now.toString());
        s.put("refreshMillis", refresh.toMillis());
        s.put("homeZone", store.homeZone().path());
        s.put("zones", Inventory.zones(store).stream().map(Zone::path).toList());
        s.put("services", serviceRows);
        s.put("fanout", fanoutRow);
        snapshot = Map.copyOf(s);
    }

    private MetricsText scrape(Endpoint e) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(e.baseUri() + "/metrics"))
                .timeout(Duration.ofSeconds(2)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (r.statusCode() != 200) {
                log.debug("{} answered {} to GET /metrics", e.id(), r.statusCode());
                return null;
            }
            return MetricsText.parse(r.body());
        } catch (IOException ex) {
            log.debug("cannot scrape {}: {}", e.id(), ex.toString());
            return null;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return null;
        }
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

        public StatusPage build() {
            return new StatusPage(this);
        }
    }
}

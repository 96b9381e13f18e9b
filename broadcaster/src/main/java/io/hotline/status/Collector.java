package io.hotline.status;

import io.hotline.discovery.Directory;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Query;
import io.hotline.discovery.Zone;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.RpcClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the status page gathers over time: the services it shows, their endpoints and health from a {@link Directory},
 * and what it has seen of each endpoint across collections (since when its health is what it is, as the store tells
 * or else as the page saw it, when it last passed, its last scraped figures), from which one collection computes
 * rates as the difference between two scrapes, and each service's figures over the last few minutes for its chart.
 */
final class Collector {

    /** Under the page's name: operators know the page, not its parts. */
    private static final Logger log = LoggerFactory.getLogger(StatusPage.class);
    /** Services added at run time beyond the configured ones, at most: each costs a scrape of its servers. */
    private static final int MAX_ADDED_SERVICES = 64;

    private final EndpointStore store;
    private final Directory directory;
    private final Scraper scraper;
    private final Duration refresh;
    private final Supplier<String> ownMetrics;
    private final Set<String> services;
    private final int configuredServices;
    /** Keyed by service|id: an endpoint restarted under a new id is another one. */
    private final Map<String, Observed> observed = new ConcurrentHashMap<>();
    private final History history = new History();

    /**
     * @param services shown besides hotline.broadcaster, which always is
     * @param ownMetrics the Prometheus text of the process serving the page, or null
     */
    Collector(EndpointStore store, Directory directory, Scraper scraper, List<String> services, Duration refresh,
            Supplier<String> ownMetrics) {
        this.store = store;
        this.directory = directory;
        this.scraper = scraper;
        this.refresh = refresh;
        this.ownMetrics = ownMetrics;
        LinkedHashSet<String> all = new LinkedHashSet<>(services);
        all.add(RpcClient.BROADCASTER_SERVICE);
        this.services = Collections.synchronizedSet(all);
        this.configuredServices = all.size();
    }

    /** See {@link StatusPage#addService}. */
    void addService(String service) {
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

    /** What a fetch answers before the first collection. */
    Snapshot notCollectedYet() {
        return Snapshot.notCollectedYet(refresh, store.homeZone().path());
    }

    /** The keys (service|id) of the endpoints the page keeps what it saw of. */
    Set<String> observedKeys() {
        return Set.copyOf(observed.keySet());
    }

    /**
     * One collection: endpoints and health from the directory, then rates from the passing servers' metrics. A server
     * not scraped in time keeps the figures of its last scrape.
     */
    Snapshot collect() {
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
        Map<String, MetricsText> scraped = scraper.scrapeAll(passing);
        Instant now = Instant.now();
        List<Snapshot.ServiceRow> serviceRows = new ArrayList<>();
        Map<String, Double> deliveries = new LinkedHashMap<>();
        double fanouts = 0;
        Set<String> seen = new LinkedHashSet<>();
        for (Map.Entry<String, List<EndpointStatus>> entry : resolved.entrySet()) {
            String service = entry.getKey();
            List<EndpointStatus> statuses = entry.getValue();
            List<Snapshot.EndpointRow> rows = new ArrayList<>();
            double rate = 0;
            double deltaCalls = 0;
            double deltaSeconds = 0;
            double calls = 0;
            int passingHere = 0;
            boolean measured = false;
            for (EndpointStatus s : statuses) {
                Endpoint e = s.endpoint();
                String key = service + "|" + e.id();
                seen.add(key);
                Observed o = observed.computeIfAbsent(key, k -> new Observed());
                o.health(s.health().name().toLowerCase(Locale.ROOT), s.since(), now);
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
                        measured = true;
                    }
                    o.metrics = m;
                    o.scrapedAt = now;
                    fanouts += m.clientFanouts();
                    m.deliveries().forEach((k, v) -> deliveries.merge(k, v, Double::sum));
                }
                calls += o.metrics != null ? o.metrics.calls() : 0;
                rows.add(new Snapshot.EndpointRow(e.id(), e.server(), e.zone().path(), e.baseUri(), e.priority(),
                        e.weight(), o.health,
                        o.healthSince, o.healthSinceObserved, o.lastPassing, o.scrapedAt,
                        o.metrics != null ? (long) o.metrics.calls() : null,
                        o.metrics != null ? (long) o.metrics.casts() : null));
            }
            Double latency = deltaCalls > 0 ? round(deltaSeconds * 1000 / deltaCalls) : null;
            serviceRows.add(new Snapshot.ServiceRow(service, statuses.size(), passingHere, (long) calls, round(rate),
                    latency, List.copyOf(rows), history.add(service, now, measured ? round(rate) : null, latency)));
        }
        // Endpoints gone from the directory (e.g. restarted on another ephemeral port) are forgotten.
        observed.keySet().retainAll(seen);
        Snapshot.Fanout own = null;
        if (ownMetrics != null) {
            MetricsText metrics = MetricsText.parse(ownMetrics.get());
            own = Snapshot.Fanout.of(metrics.clientFanouts(), metrics.deliveries());
        }
        return new Snapshot(now, refresh.toMillis(), store.homeZone().path(), zones(), List.copyOf(serviceRows),
                scraped.size(), passing.size() - scraped.size(), Snapshot.Fanout.of(fanouts, deliveries), own, null);
    }

    /** The home zone's path first, then the store's other zones' by path. */
    private List<String> zones() {
        String home = store.homeZone().path();
        return Stream.concat(Stream.of(home), store.zones().stream().map(Zone::path).filter(z -> !z.equals(home))
                .sorted().distinct()).toList();
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    /** What the page has seen of one endpoint across collections. */
    private static final class Observed {
        String health;
        Instant healthSince;
        /** Whether healthSince is when this page saw the health change, because the store does not tell. */
        boolean healthSinceObserved;
        Instant lastPassing;
        MetricsText metrics;
        Instant scrapedAt;

        /** The store's word on since when, if it tells; else when this page first saw the health it has now. */
        void health(String now, Optional<Instant> since, Instant at) {
            if (since.isPresent()) {
                health = now;
                healthSince = since.get();
                healthSinceObserved = false;
            } else if (!now.equals(health) || !healthSinceObserved) {
                health = now;
                healthSince = at;
                healthSinceObserved = true;
            }
        }
    }
}

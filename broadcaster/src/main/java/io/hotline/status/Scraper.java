package io.hotline.status;

import io.hotline.discovery.Untrusted;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads servers' {@code GET /metrics} for the status page, concurrently and within a deadline, and remembers which
 * servers failed their last scrape: those are scraped last, so that a fleet with many stalled servers still shows the
 * live ones, and their further failures are logged at DEBUG only.
 */
final class Scraper {

    /** Under the page's name: operators know the page, not its parts. */
    private static final Logger log = LoggerFactory.getLogger(StatusPage.class);
    /** Scrapes in flight at once, at most: enough to scrape thousands of servers in seconds, few enough to be polite. */
    static final int MAX_CONCURRENT_SCRAPES = 24;
    private static final Duration SCRAPE_TIMEOUT = Duration.ofSeconds(2);

    private final HttpClient http;
    private final String token;
    private final Duration deadline;
    /** Servers whose last scrape failed: their next failures are logged at DEBUG only. */
    private final Set<String> failing = ConcurrentHashMap.newKeySet();

    /**
     * @param token sent as {@code Authorization: Bearer token}, or null
     * @param sslContext for {@code https} servers, or null for the JDK's default
     * @param deadline how long one round of scrapes may take, at most
     */
    Scraper(String token, SSLContext sslContext, Duration deadline) {
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(SCRAPE_TIMEOUT);
        if (sslContext != null) {
            client.sslContext(sslContext);
        }
        this.http = client.build();
        this.token = token;
        this.deadline = deadline;
    }

    /**
     * The metrics of each of {@code servers} (base URIs) that answered in time: at most
     * {@value #MAX_CONCURRENT_SCRAPES} requests in flight, none started or awaited past the deadline. Servers not
     * among {@code servers} are forgotten.
     */
    Map<String, MetricsText> scrapeAll(Collection<String> servers) {
        List<String> order = Stream.concat(servers.stream().filter(u -> !failing.contains(u)),
                servers.stream().filter(failing::contains)).toList();
        long until = System.nanoTime() + deadline.toNanos();
        Semaphore slots = new Semaphore(MAX_CONCURRENT_SCRAPES);
        Map<String, MetricsText> scraped = new ConcurrentHashMap<>();
        List<CompletableFuture<?>> inFlight = new ArrayList<>();
        try {
            for (String server : order) {
                if (!slots.tryAcquire(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS)) {
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
            if (!slots.tryAcquire(MAX_CONCURRENT_SCRAPES, Math.max(0, until - System.nanoTime()),
                    TimeUnit.NANOSECONDS)) {
                log.debug("status scrapes past the {} deadline are left out of this refresh", deadline);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inFlight.forEach(f -> f.cancel(true));
        }
        failing.retainAll(servers);
        return Map.copyOf(scraped);
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
}

package io.hotline.rpc.server.internal.serving;

import io.hotline.rpc.internal.metrics.RpcBuckets;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Locale;

/**
 * Where a serving process's meters go, the RPC server's and the broadcaster's alike: into the application's {@link
 * MeterRegistry} when it gives one (any kind: Prometheus, OTLP, a composite), and always into a Prometheus registry
 * that {@code GET /metrics} scrapes, in Prometheus' text format or, for a scraper that asks for it in {@code Accept},
 * in OpenMetrics. Request timers publish the buckets of {@link RpcBuckets#DURATIONS}, so that percentiles can be taken
 * across servers.
 *
 * <pre>{@code
 * ServedMetrics metrics = ServedMetrics.of(applicationRegistry);     // or null: a Prometheus registry of its own
 * Timer.builder("hotline.rpc.server.requests").serviceLevelObjectives(RpcBuckets.DURATIONS)
 *         .register(metrics.registry());
 * ServedMetrics.Scrape s = metrics.scrape(request.getHeader("Accept"));   // s.contentType(), s.body()
 * }</pre>
 */
public final class ServedMetrics {

    /** Prometheus' text format, the default. */
    public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    /** OpenMetrics 1.0, for a scraper whose {@code Accept} names {@code application/openmetrics-text}. */
    public static final String OPEN_METRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    /** One scrape: the body and its content type. */
    public record Scrape(String contentType, String body) {}

    private final PrometheusMeterRegistry scraped;
    private final MeterRegistry registry;

    private ServedMetrics(PrometheusMeterRegistry scraped, MeterRegistry registry) {
        this.scraped = scraped;
        this.registry = registry;
    }

    /** The meters of a process that serves: into {@code given} (or null for none) and a scraped Prometheus registry. */
    public static ServedMetrics of(MeterRegistry given) {
        if (given instanceof PrometheusMeterRegistry prometheus) {
            return new ServedMetrics(prometheus, prometheus);
        }
        PrometheusMeterRegistry scraped = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        if (given == null) {
            return new ServedMetrics(scraped, scraped);
        }
        return new ServedMetrics(scraped, new CompositeMeterRegistry(Clock.SYSTEM, List.of(scraped, given)));
    }

    /** Where to register meters. */
    public MeterRegistry registry() {
        return registry;
    }

    /** The meters in OpenMetrics when {@code accept} names it, else in Prometheus' text format. */
    public Scrape scrape(String accept) {
        if (accept != null && accept.toLowerCase(Locale.ROOT).contains("application/openmetrics-text")) {
            return new Scrape(OPEN_METRICS, scraped.scrape(OPEN_METRICS));
        }
        return new Scrape(PROMETHEUS_TEXT, scraped.scrape(PROMETHEUS_TEXT));
    }
}

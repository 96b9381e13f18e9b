package io.hotline.rpc.server;

import io.hotline.rpc.internal.metrics.RpcBuckets;
import io.hotline.rpc.server.internal.serving.ServedMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * What {@code GET /metrics} shows (and the application's registry gets): requests by kind, method and outcome with
 * their duration (a histogram with {@link RpcBuckets#DURATIONS}), calls running, casts queued, casts that failed.
 * Method names come from clients, so an unknown method is tagged {@code -}: a caller cannot create meters at will.
 */
final class ServerMetrics {

    static final String UNKNOWN_METHOD = "-";

    private final ServedMetrics served;
    private final MeterRegistry registry;
    private final String service;
    private final Counter castFailures;
    // Looked up once per combination (methods this server has, or "-"): building a meter's id per request costs more.
    private final Map<List<String>, Timer> requests = new ConcurrentHashMap<>();

    ServerMetrics(ServedMetrics served, String service, CastQueue casts, Semaphore callSlots, int maxCalls) {
        this.served = served;
        this.registry = served.registry();
        this.service = service;
        Gauge.builder("hotline.rpc.server.calls.active", callSlots, s -> maxCalls - s.availablePermits())
                .description("calls running now").tag("service", service).register(registry);
        Gauge.builder("hotline.rpc.server.casts.queued", casts, CastQueue::waiting)
                .description("casts accepted and waiting to run").tag("service", service).register(registry);
        this.castFailures = Counter.builder("hotline.rpc.server.casts.failed")
                .description("accepted casts whose method threw or could not run").tag("service", service)
                .register(registry);
    }

    /** One request: {@code outcome} is {@code ok}, {@code accepted} or the error type answered. */
    void record(String kind, String method, String outcome, long startNanos) {
        requests.computeIfAbsent(List.of(kind, method, outcome), k -> Timer.builder("hotline.rpc.server.requests")
                        .description("RPC requests answered, by kind, method and outcome")
                        .tags("service", service, "kind", k.get(0), "method", k.get(1), "outcome", k.get(2))
                        .serviceLevelObjectives(RpcBuckets.DURATIONS)
                        .register(registry))
                .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    void castFailed() {
        castFailures.increment();
    }

    ServedMetrics.Scrape scrape(String accept) {
        return served.scrape(accept);
    }
}

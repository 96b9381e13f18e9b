package io.hotline.broadcaster;

import io.hotline.discovery.Endpoint;
import io.hotline.rpc.FanoutReport.Outcome;
import io.hotline.rpc.internal.fanout.FanoutEngine;
import io.hotline.rpc.internal.metrics.RpcBuckets;
import io.hotline.rpc.server.internal.serving.ServedMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What {@code GET /metrics} shows: fanouts started (all, and those clients asked for), targets per fanout, deliveries by outcome, retries of refused connections, and how long fanouts
 * take until their last target has an outcome (a histogram, so percentiles can be taken across broadcasters). No
 * meter is tagged with the service: the name comes from the request path, and a caller must not create meters at
 * will.
 */
final class BroadcasterMetrics implements FanoutEngine.Observer {

    private final ServedMetrics served;
    private final Counter fanouts;
    private final Counter clientFanouts;
    private final DistributionSummary targets;
    private final Timer duration;
    private final Counter retries;
    private final Map<Outcome, Counter> deliveries = new EnumMap<>(Outcome.class);

    BroadcasterMetrics(ServedMetrics served) {
        this.served = served;
        MeterRegistry registry = served.registry();
        this.fanouts = Counter.builder("hotline.broadcaster.fanouts")
                .description("fanouts started, shares from peer broadcasters included").register(registry);
        this.clientFanouts = Counter.builder("hotline.broadcaster.client.fanouts")
                .description("fanouts started at a client's request, shares from peer broadcasters left out:"
                        + " summed over broadcasters, each fanout counts once").register(registry);
        this.targets = DistributionSummary.builder("hotline.broadcaster.fanout.targets")
                .description("servers targeted per fanout").register(registry);
        this.duration = Timer.builder("hotline.broadcaster.fanout.duration")
                .description("from the request until every target of the fanout has an outcome")
                .serviceLevelObjectives(RpcBuckets.DURATIONS).register(registry);
        this.retries = Counter.builder("hotline.broadcaster.retries")
                .description("casts tried a second time because the server refused the first connection")
                .register(registry);
        for (Outcome o : Outcome.values()) {
            deliveries.put(o, Counter.builder("hotline.broadcaster.deliveries")
                    .description("casts to one server sent by this broadcaster, by outcome")
                    .tag("outcome", o.name().toLowerCase(Locale.ROOT)).register(registry));
        }
    }

    @Override
    public void started(int targeted) {
        fanouts.increment();
        targets.record(targeted);
    }

    /** A fanout a client asked for (not a peer's share) has started. */
    void clientFanout() {
        clientFanouts.increment();
    }

    @Override
    public void retrying(Endpoint endpoint) {
        retries.increment();
    }

    @Override
    public void delivery(Outcome outcome) {
        deliveries.get(outcome).increment();
    }

    @Override
    public void finished(long startNanos) {
        duration.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    ServedMetrics.Scrape scrape(String accept) {
        return served.scrape(accept);
    }
}

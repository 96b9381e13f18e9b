package io.hotline.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What {@code GET {path}api/status} answers: one collection's figures, serialized by Jackson in the order of the
 * components; the page's script and the tests read these names. Before the first collection {@code collectedAt} is
 * null and {@code scraped}, {@code notScraped} and {@code ownFanout} are left out, as is {@code ownFanout} when the
 * serving process gave no metrics of its own.
 *
 * @param ageMillis how old the collection was when asked for; null until then, and before the first collection
 */
record Snapshot(
        @JsonSerialize(using = ToStringSerializer.class) Instant collectedAt,
        long refreshMillis,
        String homeZone,
        List<String> zones,
        List<ServiceRow> services,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer scraped,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer notScraped,
        Fanout fanout,
        @JsonInclude(JsonInclude.Include.NON_NULL) Fanout ownFanout,
        Long ageMillis) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a fetch answers before the first collection: nothing seen yet. */
    static Snapshot notCollectedYet(Duration refresh, String homeZone) {
        return new Snapshot(null, refresh.toMillis(), homeZone, List.of(), List.of(), null, null,
                Fanout.of(0, Map.of()), null, null);
    }

    /** This snapshot as answered at {@code now}, with its age. */
    Snapshot agedAt(Instant now) {
        Long age = collectedAt == null ? null : Math.max(0, Duration.between(collectedAt, now).toMillis());
        return new Snapshot(collectedAt, refreshMillis, homeZone, zones, services, scraped, notScraped, fanout,
                ownFanout, age);
    }

    byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a status snapshot does not serialize", e);
        }
    }

    /**
     * One service: its endpoints, the figures summed over them, and those figures over the last minutes.
     *
     * @param history one point per collection over the last five minutes (at most 300), oldest first
     */
    record ServiceRow(String name, int registered, int passing, long calls, double callsPerSecond,
            Double meanLatencyMs, List<EndpointRow> endpoints, List<Point> history) {
    }

    /**
     * A service's figures at one collection, for its chart.
     *
     * @param at when, in epoch milliseconds (compact, and what a script's {@code Date} takes)
     * @param callsPerSecond null when no server of the service had been scraped twice yet: a gap, not a zero
     * @param meanLatencyMs null when there were no calls to average
     */
    record Point(long at, Double callsPerSecond, Double meanLatencyMs) {
    }

    /**
     * One endpoint as the page has seen it. Its health holds since {@code healthSince}: the store's word when it tells
     * ({@code EndpointStatus.since}), otherwise when this page first saw that health ({@code healthSinceObserved}
     * true: it may hold since earlier). When it last passed and was scraped are this page's observations, since the
     * store does not say when an endpoint last heartbeated; figures are null until its first scrape.
     */
    record EndpointRow(String id, String server, String zone, String address, int priority, int weight,
            String health,
            @JsonSerialize(using = ToStringSerializer.class) Instant healthSince,
            boolean healthSinceObserved,
            @JsonSerialize(using = ToStringSerializer.class) Instant lastSeenPassing,
            @JsonSerialize(using = ToStringSerializer.class) Instant scrapedAt,
            Long calls, Long casts) {
    }

    /** Fanouts requested and deliveries by outcome, as broadcasters count them. */
    @JsonPropertyOrder({"fanouts", "delivered", "refused", "timed_out", "rejected", "error"})
    record Fanout(long fanouts, long delivered, long refused, @JsonProperty("timed_out") long timedOut,
            long rejected, long error) {

        static Fanout of(double fanouts, Map<String, Double> deliveries) {
            return new Fanout((long) fanouts, count(deliveries, "delivered"), count(deliveries, "refused"),
                    count(deliveries, "timed_out"), count(deliveries, "rejected"), count(deliveries, "error"));
        }

        private static long count(Map<String, Double> deliveries, String outcome) {
            return deliveries.getOrDefault(outcome, 0.0).longValue();
        }
    }
}

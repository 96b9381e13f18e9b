package io.hotline.rpc;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;

/**
 * What a fanout cast did on each server it targeted: the broadcaster's answer when a report is asked for.
 *
 * <pre>{@code
 * FanoutReport report = client.prepare(Target.topic("compute").exchange("nova").asFanout())
 *         .fanoutWithReport("refresh_cache", Map.of());
 * report.results().stream()
 *         .filter(d -> d.outcome() != FanoutReport.Outcome.DELIVERED)
 *         .forEach(d -> log.warn("{} missed the refresh: {} {}", d.server(), d.outcome(), d.reason()));
 * }</pre>
 *
 * @param msgId the cast's msg_id, the same on every server
 * @param targeted how many servers the broadcaster sent it to
 * @param delivered how many of them accepted (queued) it
 * @param failed how many did not: {@code targeted - delivered}
 * @param results one entry per targeted server
 * @param note why nothing was targeted, when {@code targeted} is 0; else null
 */
public record FanoutReport(@JsonProperty("msg_id") String msgId, int targeted, int delivered, int failed,
        List<Delivery> results, String note) {

    public FanoutReport {
        results = results == null ? List.of() : List.copyOf(results);
    }

    /** How delivering to one server ended. */
    public enum Outcome {
        /** The server answered 2xx: the cast is queued there. */
        @JsonProperty("delivered") DELIVERED,
        /** The connection was refused, also on the one retry: the server never saw the cast. */
        @JsonProperty("refused") REFUSED,
        /** No answer within the per-target timeout: the server may or may not run the cast. */
        @JsonProperty("timed_out") TIMED_OUT,
        /** The server answered with an error status (busy, wrong service, token refused). */
        @JsonProperty("rejected") REJECTED,
        /** The exchange broke after the request may have been sent (connection reset, TLS failure). */
        @JsonProperty("error") ERROR
    }

    /**
     * One server's delivery.
     *
     * @param id the endpoint's registration id
     * @param server the endpoint's server name
     * @param outcome how it ended
     * @param status the HTTP status the server answered, if it answered
     * @param reason what went wrong, in words; null when delivered
     */
    public record Delivery(String id, String server, Outcome outcome, Integer status, String reason) {
        public Delivery {
            Objects.requireNonNull(outcome, "outcome");
        }
    }
}

package io.hotline.rpc;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
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
     * @param notSent true when nothing was sent to it because the broadcaster could not see it (a share naming a
     *     server its store does not show healthy); whoever handed the share over casts it itself. Left out of the JSON
     *     when false
     */
    public record Delivery(String id, String server, Outcome outcome, Integer status, String reason,
            @JsonProperty("not_sent") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean notSent) {
        public Delivery {
            Objects.requireNonNull(outcome, "outcome");
        }

        /** A delivery that was attempted. */
        public Delivery(String id, String server, Outcome outcome, Integer status, String reason) {
            this(id, server, outcome, status, reason, false);
        }

        /** Reads one from JSON, where {@code not_sent} is left out when false (and by broadcasters that predate it). */
        @JsonCreator
        static Delivery fromJson(@JsonProperty("id") String id, @JsonProperty("server") String server,
                @JsonProperty("outcome") Outcome outcome, @JsonProperty("status") Integer status,
                @JsonProperty("reason") String reason, @JsonProperty("not_sent") Boolean notSent) {
            return new Delivery(id, server, outcome, status, reason, Boolean.TRUE.equals(notSent));
        }
    }
}

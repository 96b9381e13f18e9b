package io.hotline.rpc;

import io.hotline.discovery.Endpoint;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpHeader;

/**
 * Oslo's call_monitor_timeout: asks the server every interval whether it still runs a call
 * ({@code GET /v1/calls/{msg_id}}), and gives the call up with {@link MessagingTimeout} as soon as it does not.
 * Two misses in a row (not running, or no answer) abort it: one alone may be the moment between the call's end on
 * the server and its reply reaching the client. A probe waits at least {@value #MIN_PROBE_MILLIS} ms for its answer:
 * a busy but live server may take longer than a short interval to answer, and must not be given up on.
 *
 * <pre>{@code
 * ScheduledFuture<?> probes = new CallMonitor(http, scheduler, "Bearer s3cret", Duration.ofSeconds(1))
 *         .watch(endpoint, msgId, request, "conductor.ping", begun);
 * }</pre>
 */
final class CallMonitor {

    private static final long MIN_PROBE_MILLIS = 1000;

    private final HttpClient http;
    private final ScheduledExecutorService scheduler;
    private final String authorization;
    private final long every;

    /** @param authorization the Authorization header's value, or null to send none */
    CallMonitor(HttpClient http, ScheduledExecutorService scheduler, String authorization, Duration interval) {
        this.http = http;
        this.scheduler = scheduler;
        this.authorization = authorization;
        this.every = interval.toMillis();
    }

    /**
     * Probes {@code endpoint} for the call until cancelled.
     *
     * @param call the call's request, aborted when the server no longer runs it
     * @param what the call as the failure names it, e.g. {@code conductor.ping}
     * @param begun whether the call has a connection of its own yet; before, the server cannot know of it
     */
    ScheduledFuture<?> watch(Endpoint endpoint, String msgId, Request call, String what, AtomicBoolean begun) {
        AtomicInteger misses = new AtomicInteger();
        return scheduler.scheduleWithFixedDelay(() -> {
            if (!begun.get()) {
                return;
            }
            Request probe = http.newRequest(endpoint.baseUri() + "/v1/calls/" + msgId)
                    .timeout(Math.max(every, MIN_PROBE_MILLIS), TimeUnit.MILLISECONDS);
            if (authorization != null) {
                probe.headers(h -> h.put(HttpHeader.AUTHORIZATION, authorization));
            }
            probe.send(result -> {
                boolean running = result.isSucceeded() && result.getResponse().getStatus() == 200;
                if (running) {
                    misses.set(0);
                } else if (misses.incrementAndGet() >= 2) {
                    String why = result.isSucceeded() ? "it no longer runs the call"
                            : "it stopped answering (" + result.getFailure() + ")";
                    call.abort(new MessagingTimeout("call " + what + " to " + endpoint.baseUri()
                            + " was given up after the call monitor found " + why, null));
                }
            });
        }, every, every, TimeUnit.MILLISECONDS);
    }
}

package io.hotline.rpc;

import io.hotline.discovery.Directory;
import io.hotline.discovery.Endpoint;
import io.hotline.rpc.internal.tracing.TraceHeaders;
import io.hotline.rpc.internal.wire.JsonPost;
import java.net.ConnectException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;

/**
 * One message's way to a server: picks a server on its {@link Route}, posts the message, and tries again only what
 * {@link RetryPolicy} allows (never reached a server, or refused with 503), within the one timeout; the call monitor
 * watches each try of a call. A server that said busy is not sent the message again before its Retry-After (waited
 * out on the client's scheduler); another server is tried at once. Tries follow one another, never overlap.
 *
 * <p>Client-side metrics hook in here: {@link #afterTry} sees every try's outcome, and {@link #result} completes once
 * per invocation.
 *
 * <pre>{@code
 * Exchange exchange = new Exchange(client, route, message, timeout, new RetryPolicy(false), null);
 * CompletableFuture<ContentResponse> reply = exchange.start(firstBody, null);
 * }</pre>
 */
final class Exchange {

    /**
     * What every exchange of one client shares.
     *
     * @param authorization the Authorization header's value, or null to send none
     * @param maxConnectionsPerServer for the message of a request that waited its timeout for a connection
     * @param metrics where retries are counted
     */
    record Client(HttpClient http, Directory directory, ScheduledExecutorService scheduler, String authorization,
            int maxResponseBytes, int maxConnectionsPerServer, HttpTransport transport, ClientMetrics metrics) {}

    /**
     * The message, and how to write it for a try.
     *
     * @param kind call or cast (a fanout is a cast)
     * @param service the service, for metrics
     * @param what the service and method, e.g. {@code conductor.ping}, for messages
     * @param body the message telling the server the caller waits so long (what is left of its timeout)
     * @param trace the trace context each try carries: the invocation's span
     */
    record Message(String kind, String service, String what, String msgId, Function<Duration, byte[]> body,
            TraceHeaders trace) {}

    private final Client client;
    private final Route route;
    private final Message message;
    private final Duration timeout;
    private final RetryPolicy policy;
    private final CallMonitor monitor;
    private final long deadline;
    private final Set<String> tried = new HashSet<>();
    /** The servers that said busy, and until when ({@link System#nanoTime()}). */
    private final Map<String, Long> busyUntil = new HashMap<>();
    private final CompletableFuture<ContentResponse> result = new CompletableFuture<>();
    private int sent;

    /** @param monitor watches the tries of a call, or null */
    Exchange(Client client, Route route, Message message, Duration timeout, RetryPolicy policy, CallMonitor monitor) {
        this.client = client;
        this.route = route;
        this.message = message;
        this.timeout = timeout;
        this.policy = policy;
        this.monitor = "call".equals(message.kind()) ? monitor : null;
        this.deadline = System.nanoTime() + timeout.toNanos();
    }

    /**
     * Sends the message; the answer completes the future, whatever its status, or the exchange fails.
     *
     * @param body the message for the first try, written with the whole timeout
     * @param first the server of the first try, or null to pick one
     */
    CompletableFuture<ContentResponse> start(byte[] body, Route.Pick first) {
        attempt(body, first);
        return result;
    }

    /**
     * One try. When every server the message may go to said busy, it waits for the Retry-After, or, if that lies
     * beyond the deadline, fails with {@link ServerBusy} saying when to try again. Every try gets what is left of the
     * one timeout.
     *
     * @param body the message for this try, or null to write it with the time left
     * @param picked the server for this try, or null to pick one
     */
    private void attempt(byte[] body, Route.Pick picked) {
        Route.Pick pick;
        try {
            pick = picked != null ? picked : route.pick(client.directory(), tried);
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return;
        }
        Endpoint endpoint = pick.endpoint();
        long now = System.nanoTime();
        long left = deadline - now;
        Long busy = busyUntil.get(endpoint.id());
        long busyFor = busy == null ? 0 : busy - now;
        switch (RetryPolicy.start(busyFor, left, body == null)) {
            case BUSY_PAST_DEADLINE -> {
                pick.release().run();
                result.completeExceptionally(new ServerBusy("every server tried for " + message.what() + " said it"
                        + " was busy (" + sent + " tries) and asked to be sent it again in "
                        + Duration.ofNanos(busyFor).toMillis() + " ms at the soonest, after this call's timeout of "
                        + timeout + " runs out; nothing ran", Duration.ofNanos(busyFor)));
            }
            case WAIT -> {
                pick.release().run();
                // On the client's own scheduler: the common pool has one thread on a 2-core machine, and a burst of
                // retries queued there would start after their deadlines.
                try {
                    client.scheduler().schedule(() -> attempt(null, null), busyFor, TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    result.completeExceptionally(new RpcException("the client was closed while " + message.kind()
                            + " " + message.what() + " waited to be tried again; nothing ran", e));
                }
            }
            case TOO_LATE -> {
                pick.release().run();
                result.completeExceptionally(new MessagingTimeout(message.kind() + " " + message.what()
                        + " was not tried again: its timeout of " + timeout + " ran out after " + sent
                        + (sent == 1 ? " try" : " tries") + (policy.idempotent() ? "" : ", none of which ran it (the"
                        + " servers said busy or refused the connection)"), null));
            }
            case SEND -> {
                byte[] message;
                try {
                    message = body != null ? body : this.message.body().apply(Duration.ofNanos(Math.max(left, 1)));
                } catch (RuntimeException e) {
                    pick.release().run();
                    result.completeExceptionally(e);
                    return;
                }
                send(pick, message, left);
            }
        }
    }

    private void send(Route.Pick pick, byte[] body, long left) {
        Endpoint endpoint = pick.endpoint();
        tried.add(endpoint.id());
        sent++;
        // Jetty's timeout runs from send(), so time spent waiting for one of the connections to this server counts
        // against it.
        Request request = JsonPost.to(client.http(), endpoint.baseUri(), route.path(), body,
                Math.max(TimeUnit.NANOSECONDS.toMillis(left), 1), client.authorization(), message.trace());
        // Jetty begins a request once a connection is its own; until then nothing was written, so nothing ran.
        AtomicBoolean begun = new AtomicBoolean();
        request.onRequestBegin(r -> begun.set(true));
        ScheduledFuture<?> probes = monitor == null ? null
                : monitor.watch(endpoint, message.msgId(), request, message.what(), begun);
        JsonPost.send(request, client.maxResponseBytes()).whenComplete((response, failure) -> {
            // No answer at all ejects the server for a while (see Directory), so that this call's retry and other
            // callers pick another instead of waiting out the same timeout.
            if (RetryPolicy.unanswered(failure)) {
                pick.unanswered().run();
            }
            pick.release().run();
            if (probes != null) {
                probes.cancel(false);
            }
            RetryPolicy.Outcome outcome = RetryPolicy.Outcome.of(failure == null ? response.getStatus() : 0, failure,
                    begun.get());
            afterTry(endpoint, outcome, response);
            if (policy.tryAgain(outcome, sent, deadline - System.nanoTime())) {
                client.metrics().retried(message.kind(), message.service());
                attempt(null, null);
            } else if (failure == null) {
                // A busy answer with no tries left too: the caller reads it as ServerBusy.
                result.complete(response);
            } else {
                result.completeExceptionally(transportError(endpoint, failure, !begun.get()));
            }
        });
    }

    /** Notes what a try came to: a server that said busy is not sent the message again before its Retry-After. */
    private void afterTry(Endpoint endpoint, RetryPolicy.Outcome outcome, ContentResponse response) {
        if (outcome == RetryPolicy.Outcome.BUSY) {
            // Refused before any work was done, so another server may take it now, this one later.
            busyUntil.put(endpoint.id(), System.nanoTime() + ReplyDecoder.retryAfter(response).toNanos());
        }
    }

    /** @param neverSent whether the request failed before a connection was its own: nothing reached the server */
    private RuntimeException transportError(Endpoint endpoint, Throwable failure, boolean neverSent) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (c instanceof MessagingTimeout monitored) {
                return monitored;
            }
        }
        String what = message.kind() + " " + message.what() + " to " + endpoint.baseUri();
        boolean timedOut = RetryPolicy.causedBy(failure, TimeoutException.class);
        boolean refused = RetryPolicy.causedBy(failure, ConnectException.class);
        if (neverSent && timedOut) {
            return new ServerBusy(what + " was never sent: it waited its whole timeout of " + timeout + " in this"
                    + " client for a connection to that server (all " + client.maxConnectionsPerServer() + " this"
                    + " client opens to one server, " + RpcClient.MAX_CONNECTIONS_PER_SERVER + ", busy with other"
                    + " requests, or connecting took that long); nothing ran, so it may be sent again", null);
        }
        if (neverSent && !refused) {
            // A server with hotline.http.h2c=false answers the HTTP/2 preface in HTTP/1.1, which the client reads as
            // a broken HTTP/2 frame (frame_size_error): the cause is told, not just the symptom.
            String h2c = client.transport() == HttpTransport.H2C && endpoint.baseUri().startsWith("http:")
                    ? " (this client calls http:// servers over h2c, " + RpcClient.TRANSPORT + "=h2c; a server with"
                    + " hotline.http.h2c=false speaks HTTP/1.1 only: turn h2c on there, or call it with "
                    + RpcClient.TRANSPORT + "=http/1.1)"
                    : "";
            return new RpcException("cannot " + what + ", nothing was sent: " + failure + h2c, failure);
        }
        if (timedOut) {
            return new MessagingTimeout("no reply to " + what + " within " + timeout, failure);
        }
        if (refused) {
            return new RpcException("cannot " + what + ": " + failure, failure);
        }
        // Anything but a refused connection may have broken after the server read the request, and a bare
        // EOFException would let the caller think nothing happened and send it again.
        if (route instanceof Route.ToBroadcaster broadcast) {
            return new RpcException("the fanout cast " + message.what() + " broke mid-way: the connection to"
                    + " broadcaster " + endpoint.baseUri() + " broke after the request was sent (" + failure + ");"
                    + " servers of " + broadcast.service() + " may already have received it, some or all, and it is"
                    + " not sent again (a fanout reaches each server at most once); check them before casting it"
                    + " again", failure);
        }
        return new RpcException("the connection broke after " + what + " was sent (" + failure + "); the server"
                + " may already have received it" + ("call".equals(message.kind()) ? " and run it" : "")
                + ", and it is not sent again (at most once" + (policy.idempotent()
                ? "; the tries allowed are used up" : " unless marked idempotent") + ")", failure);
    }
}

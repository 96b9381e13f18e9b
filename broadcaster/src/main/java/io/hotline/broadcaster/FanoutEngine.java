package io.hotline.broadcaster;

import io.hotline.discovery.Directory;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.Query;
import io.hotline.discovery.Resolution;
import io.hotline.discovery.Zone;
import io.hotline.discovery.ZoneScope;
import io.hotline.rpc.FanoutReport;
import io.hotline.rpc.FanoutReport.Delivery;
import io.hotline.rpc.FanoutReport.Outcome;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends fanout casts: resolves a service's healthy servers, and posts the cast to each with at most
 * {@code maxConcurrent} requests in flight across all fanouts. Targets wait in one queue; a send that completes
 * starts the next, so no thread blocks on the bound and the 202 goes out at once.
 *
 * <p>Delivery is at most once per server: only a refused connection (the server cannot have seen the cast) is tried
 * a second time; a timeout or a broken exchange may have delivered it, and is reported, not repeated.
 */
final class FanoutEngine {

    private static final Logger log = LoggerFactory.getLogger(FanoutEngine.class);
    private static final String RPC_PATH = "/v1/rpc/";
    /** A server's answer to a cast is a small JSON object; more than this is not a Hotline server. */
    private static final int MAX_ANSWER_BYTES = 64 * 1024;

    /** A fanout that was refused before anything was sent, because too many targets are waiting already. */
    static final class Busy extends RuntimeException {
        Busy(String message) {
            super(message, null, false, false);
        }
    }

    private final Directory directory;
    private final HttpClient http;
    private final Semaphore permits;
    private final Duration perTarget;
    private final int maxPending;
    private final AtomicInteger pending = new AtomicInteger();
    private final ConcurrentLinkedQueue<Job> queue = new ConcurrentLinkedQueue<>();
    private final Set<Fanout> active = ConcurrentHashMap.newKeySet();
    private final BroadcasterMetrics metrics;

    FanoutEngine(Directory directory, HttpClient http, int maxConcurrent, Duration perTarget, int maxPending,
            BroadcasterMetrics metrics) {
        this.directory = directory;
        this.metrics = metrics;
        this.http = http;
        this.permits = new Semaphore(maxConcurrent);
        this.perTarget = perTarget;
        this.maxPending = maxPending;
    }

    /**
     * Starts casting {@code request} to every healthy server of {@code service} in its zones.
     *
     * @param authorization the client's Authorization header, forwarded to every server (one token cluster-wide)
     * @return the fanout, whose {@link Fanout#done} completes when every target has an outcome
     * @throws Busy if the targets would exceed the bound on waiting targets
     * @throws IllegalArgumentException if the service name is invalid
     */
    Fanout start(String service, FanoutWire.Parsed request, String authorization) {
        long startNanos = System.nanoTime();
        Targets targets = resolve(service, request.scopes());
        Fanout fanout = new Fanout(service, request, authorization, targets);
        int n = targets.endpoints.size();
        if (n > 0 && pending.addAndGet(n) > maxPending) {
            pending.addAndGet(-n);
            throw new Busy(n + " more targets would exceed the " + maxPending + " the broadcaster lets wait");
        }
        metrics.started(n);
        fanout.done.whenComplete((r, e) -> metrics.finished(startNanos));
        if (n == 0) {
            fanout.done.complete(fanout.report());
            return fanout;
        }
        active.add(fanout);
        fanout.done.whenComplete((r, e) -> active.remove(fanout));
        for (int i = 0; i < n; i++) {
            queue.add(new Job(fanout, i, targets.endpoints.get(i), 1));
        }
        pump();
        return fanout;
    }

    /** Waits until every fanout in flight is over, at most {@code grace}; says how many were not. */
    int awaitActive(Duration grace) {
        CompletableFuture<?>[] all = active.stream().map(f -> f.done).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(all).get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // counted below
        }
        return (int) Arrays.stream(all).filter(f -> !f.isDone()).count();
    }

    private Targets resolve(String service, List<ZoneScope> scopes) {
        Map<String, Endpoint> found = new LinkedHashMap<>();
        Set<Zone> unavailable = new LinkedHashSet<>();
        for (ZoneScope scope : scopes) {
            Resolution r = directory.resolve(Query.of(service).scope(scope));
            r.endpoints().forEach(e -> found.putIfAbsent(e.id(), e));
            unavailable.addAll(r.unavailableZones());
        }
        String note = null;
        if (found.isEmpty()) {
            note = "no healthy server of " + service + " in " + scopes.stream().map(this::describe).toList()
                    + (unavailable.isEmpty() ? "" : "; the store could not be reached for " + unavailable);
        }
        return new Targets(List.copyOf(found.values()), note);
    }

    private String describe(ZoneScope scope) {
        return scope == ZoneScope.home() ? "home zone " + directory.zone() : scope.toString();
    }

    /** Starts queued jobs while permits last. Called after every enqueue and every completion. */
    private void pump() {
        while (!queue.isEmpty()) {
            if (!permits.tryAcquire()) {
                return;
            }
            Job job = queue.poll();
            if (job == null) {
                // Another thread took it; give the permit back and look again, or a job queued meanwhile would wait
                // for a completion that may never come.
                permits.release();
                continue;
            }
            send(job);
        }
    }

    private void send(Job job) {
        Fanout f = job.fanout;
        Request request = http.newRequest(job.endpoint.baseUri() + RPC_PATH + f.service)
                .method(HttpMethod.POST)
                .body(new BytesRequestContent(FanoutWire.JSON, f.request.castBody()))
                .timeout(perTarget.toMillis(), TimeUnit.MILLISECONDS);
        if (f.authorization != null) {
            request.headers(h -> h.put(HttpHeader.AUTHORIZATION, f.authorization));
        }
        CompletableFuture<ContentResponse> sent;
        try {
            sent = new CompletableResponseListener(request, MAX_ANSWER_BYTES).send();
        } catch (RuntimeException e) {
            // The client is stopping: nothing was sent.
            permits.release();
            finish(job, new Delivery(job.endpoint.id(), job.endpoint.server(), Outcome.ERROR, null, e.toString()));
            return;
        }
        sent.whenComplete((response, failure) -> {
            permits.release();
            if (failure != null && job.attempt == 1 && causedBy(failure, ConnectException.class)) {
                // Refused: the server never saw it, so once more is safe (it may have been restarting).
                queue.add(new Job(f, job.index, job.endpoint, 2));
            } else {
                finish(job, outcome(job.endpoint, response, failure));
            }
            pump();
        });
    }

    private Delivery outcome(Endpoint e, ContentResponse response, Throwable failure) {
        if (failure == null) {
            int status = response.getStatus();
            if (status >= 200 && status < 300) {
                return new Delivery(e.id(), e.server(), Outcome.DELIVERED, status, null);
            }
            return new Delivery(e.id(), e.server(), Outcome.REJECTED, status, errorMessage(response));
        }
        if (causedBy(failure, ConnectException.class)) {
            return new Delivery(e.id(), e.server(), Outcome.REFUSED, null,
                    "connection refused at " + e.baseUri() + ", also on the retry");
        }
        if (causedBy(failure, TimeoutException.class) || causedBy(failure, SocketTimeoutException.class)) {
            return new Delivery(e.id(), e.server(), Outcome.TIMED_OUT, null,
                    "no answer from " + e.baseUri() + " within " + perTarget + "; it may still run the cast");
        }
        return new Delivery(e.id(), e.server(), Outcome.ERROR, null,
                "the exchange with " + e.baseUri() + " broke: " + failure);
    }

    private static String errorMessage(ContentResponse response) {
        try {
            FanoutWire.ErrorBody body = FanoutWire.MAPPER.readValue(response.getContent(), FanoutWire.ErrorBody.class);
            if (body.error() != null) {
                return body.error().type() + ": " + body.error().message();
            }
        } catch (java.io.IOException | RuntimeException ignored) {
            // not a Hotline error body; say what we have
        }
        return "HTTP " + response.getStatus() + " without a Hotline error body";
    }

    private void finish(Job job, Delivery delivery) {
        pending.decrementAndGet();
        metrics.delivery(delivery.outcome());
        Fanout f = job.fanout;
        f.results.set(job.index, delivery);
        if (delivery.outcome() != Outcome.DELIVERED) {
            log.debug("fanout {} of {} to {}: {} {}", f.request.cast().msgId(), f.service, delivery.id(),
                    delivery.outcome(), delivery.reason());
        }
        if (f.remaining.decrementAndGet() == 0) {
            FanoutReport report = f.report();
            if (report.failed() > 0) {
                log.info("fanout {} of {}: {} of {} servers did not get it", report.msgId(), f.service,
                        report.failed(), report.targeted());
            }
            f.done.complete(report);
        }
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private record Targets(List<Endpoint> endpoints, String note) {}

    private record Job(Fanout fanout, int index, Endpoint endpoint, int attempt) {}

    /** One fanout in flight: its targets, their outcomes as they arrive, and the report once all are in. */
    static final class Fanout {
        final CompletableFuture<FanoutReport> done = new CompletableFuture<>();
        private final String service;
        private final FanoutWire.Parsed request;
        private final String authorization;
        private final Targets targets;
        private final AtomicReferenceArray<Delivery> results;
        private final AtomicInteger remaining;

        private Fanout(String service, FanoutWire.Parsed request, String authorization, Targets targets) {
            this.service = service;
            this.request = request;
            this.authorization = authorization;
            this.targets = targets;
            this.results = new AtomicReferenceArray<>(targets.endpoints.size());
            this.remaining = new AtomicInteger(targets.endpoints.size());
        }

        String msgId() {
            return request.cast().msgId();
        }

        int targeted() {
            return targets.endpoints.size();
        }

        String note() {
            return targets.note;
        }

        private FanoutReport report() {
            List<Delivery> list = new ArrayList<>(results.length());
            int delivered = 0;
            for (int i = 0; i < results.length(); i++) {
                Delivery d = results.get(i);
                list.add(d);
                if (d.outcome() == Outcome.DELIVERED) {
                    delivered++;
                }
            }
            return new FanoutReport(msgId(), targeted(), delivered, targeted() - delivered, list, targets.note);
        }
    }
}

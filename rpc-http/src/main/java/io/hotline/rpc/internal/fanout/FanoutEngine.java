package io.hotline.rpc.internal.fanout;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hotline.discovery.Directory;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.Query;
import io.hotline.discovery.Resolution;
import io.hotline.discovery.Untrusted;
import io.hotline.discovery.Zone;
import io.hotline.discovery.ZoneScope;
import io.hotline.rpc.FanoutReport;
import io.hotline.rpc.FanoutReport.Delivery;
import io.hotline.rpc.FanoutReport.Outcome;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.ServerBusy;
import io.hotline.rpc.internal.wire.JsonPost;
import io.hotline.rpc.internal.wire.Wire;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
import java.util.function.Supplier;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hotline's one fanout implementation, run by the broadcaster and by an {@link RpcClient} that fans out itself when no
 * broadcaster is registered: resolves a service's healthy servers and posts the cast to each, with at most
 * {@code maxConcurrent} requests in flight across all fanouts. Targets wait in one queue; a send that completes starts
 * the next, so no thread blocks on the bound.
 *
 * <pre>{@code
 * FanoutEngine engine = new FanoutEngine(directory, jettyClient, FanoutEngine.Settings.DEFAULT,
 *         FanoutEngine.Observer.NONE, null);                        // null: no peers, never split
 * // in a broadcaster: new FanoutEngine(..., new FanoutEngine.Split(() -> myEndpointId, peerToken))
 * FanoutReport report = engine.start(new FanoutEngine.Order("nova.compute", msgId, castJson,
 *         List.of(ZoneScope.home()), "Bearer s3cret", null)).done().join();
 * }</pre>
 *
 * <p>Delivery is at most once per server: only a refused connection (the server cannot have seen the cast) is tried a
 * second time; a timeout or a broken exchange may have delivered it, and is reported, not repeated.
 *
 * <p>Tree split: given a {@link Split} (the id of the broadcaster it runs in and the peer token), an engine with more
 * targets than
 * {@link Settings#splitThreshold()} hands equal shares of them to up to {@link Settings#splitWays()} peer
 * broadcasters (same zone first) and casts one share itself; a peer does the same with its share while it is above
 * the threshold, so the time grows with log N and no process holds connections to every server. A share whose peer
 * refused the connection, or refused the request before starting it (4xx, 503), is cast here instead, and so is each
 * server the peer's report marks {@link Delivery#notSent()} (it could not see it); a share whose
 * peer may have started it (timed out, broke, 5xx) is reported as {@link Outcome#ERROR} for each of its servers and
 * not redone, so no server gets the cast twice. Shares carry the peer token in {@value #PEER_TOKEN_HEADER}: only
 * broadcasters holding it may hand out shares, as a share names its servers and any client may send a fanout.
 */
public final class FanoutEngine {

    /** The header a share carries the broadcasters' peer token in, beside the client's Authorization header. */
    public static final String PEER_TOKEN_HEADER = "Hotline-Peer-Token";

    private static final Logger log = LoggerFactory.getLogger(FanoutEngine.class);
    /** A server's answer to a cast is a small JSON object; more than this is not a Hotline server. */
    private static final int MAX_ANSWER_BYTES = 64 * 1024;
    /** A peer's report has one entry of about a hundred bytes per server; this is ample. */
    private static final int REPORT_BYTES_PER_TARGET = 2048;

    /**
     * How an engine sends.
     *
     * @param maxConcurrent casts in flight at once, across all fanouts
     * @param perTarget how long one server may take to accept a cast, connecting included
     * @param maxPending targets that may wait, across all fanouts; a fanout beyond is refused with {@link ServerBusy}
     * @param splitThreshold above this many targets the fanout is split among peer broadcasters
     * @param splitWays how many peers one split hands shares to, at most
     * @param peerTimeout how long a peer may take to report on its share
     */
    public record Settings(int maxConcurrent, Duration perTarget, int maxPending, int splitThreshold, int splitWays,
            Duration peerTimeout) {

        public static final Settings DEFAULT = new Settings(64, Duration.ofSeconds(5), 100_000, 500, 4,
                Duration.ofSeconds(60));

        public Settings {
            atLeast(1, maxConcurrent, "max concurrent casts");
            atLeast(1, maxPending, "max pending targets");
            atLeast(1, splitThreshold, "split threshold");
            atLeast(1, splitWays, "split ways");
            positive(perTarget, "per-target timeout");
            positive(peerTimeout, "peer timeout");
        }

        /**
         * The most endpoint ids a share may name: a fanout has at most {@link #maxPending()} targets, and a split cuts
         * it into two slices at least, so no broadcaster configured alike hands out more; 50,000 by default.
         */
        public int maxShare() {
            return (int) ((maxPending + 1L) / 2);
        }

        private static void atLeast(int min, int value, String what) {
            if (value < min) {
                throw new IllegalArgumentException(what + " " + value + " must be at least " + min);
            }
        }

        private static void positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " " + d + " must be positive");
            }
        }
    }

    /**
     * One fanout to start.
     *
     * @param service the service whose servers get the cast
     * @param msgId the cast's msg_id, the same on every server
     * @param castBody the {@code POST /v1/rpc/{service}} body every server gets, a JSON object (anything else is
     *     refused with {@link IllegalArgumentException})
     * @param scopes the zones whose servers are targeted
     * @param authorization the Authorization header to send along, or null
     * @param only a peer's share: just these endpoint ids (looked up in every zone), or null for all of the scopes
     */
    public record Order(String service, String msgId, byte[] castBody, List<ZoneScope> scopes, String authorization,
            Set<String> only) {
        public Order {
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(msgId, "msgId");
            Objects.requireNonNull(castBody, "castBody");
            shareTemplate(castBody);
            scopes = List.copyOf(scopes);
            only = only == null ? null : Set.copyOf(only);
        }
    }

    /**
     * How a broadcaster's engine splits large fanouts among its peers.
     *
     * @param self the endpoint id of the broadcaster the engine runs in, read when a fanout is split (so that it can be
     *     set once registered; null until then, when the broadcaster cannot be among its own peers yet)
     * @param peerToken the secret every broadcaster of the cluster holds, sent with each share so that its peer takes it
     */
    public record Split(Supplier<String> self, String peerToken) {
        public Split {
            Objects.requireNonNull(self, "self");
            if (peerToken == null || peerToken.isEmpty()) {
                throw new IllegalArgumentException("the peer token is empty; without one, do not split (pass no Split)");
            }
        }
    }

    /**
     * A share was refused after its lookup: this broadcaster sees fewer than half of the servers it names as healthy
     * servers. Nothing was started, so the sender casts the share itself (as after any refusal); this keeps a share's
     * report within twice the servers actually found, whatever ids it lists.
     */
    public static final class ShareNotSeen extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private ShareNotSeen(String message) {
            super(message);
        }
    }

    /** The body of a share handed to a peer, less its targets: the cast body with a report asked for. */
    private static ObjectNode shareTemplate(byte[] castBody) {
        try {
            if (Wire.MAPPER.readTree(castBody) instanceof ObjectNode request) {
                return request.put("report", true);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("the cast body is not a JSON object: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("the cast body is not a JSON object; send {\"kind\":\"cast\", ...}");
    }

    /** Told what the engine does, for metrics. */
    public interface Observer {
        Observer NONE = new Observer() { };

        /** A fanout with this many targets started. */
        default void started(int targets) { }

        /** A cast to {@code endpoint} was refused the connection and is about to be tried once more. */
        default void retrying(Endpoint endpoint) { }

        /** A cast this engine sent itself ended so (shares handed to peers are counted by the peers). */
        default void delivery(Outcome outcome) { }

        /** A fanout started at {@code startNanos} ({@link System#nanoTime()}) has every outcome. */
        default void finished(long startNanos) { }
    }

    private final Directory directory;
    private final HttpClient http;
    private final Settings settings;
    private final Observer observer;
    private final Split split;
    private final Semaphore permits;
    /** Set while a thread drains the queue, so that {@link #pump()} never nests on one thread. */
    private final ThreadLocal<Boolean> draining = ThreadLocal.withInitial(() -> false);
    private final AtomicInteger pending = new AtomicInteger();
    private final ConcurrentLinkedQueue<Job> queue = new ConcurrentLinkedQueue<>();
    private final Set<Fanout> active = ConcurrentHashMap.newKeySet();

    /**
     * @param directory where the servers (and peer broadcasters) are found
     * @param http a started Jetty client, with whatever TLS the servers need and, for speed, no cookie store
     *     ({@code HttpCookieStore.Empty}); the caller stops it
     * @param split how to hand shares to peer broadcasters; null never splits (a client fanning out itself, or a
     *     broadcaster without a peer token)
     */
    public FanoutEngine(Directory directory, HttpClient http, Settings settings, Observer observer, Split split) {
        this.directory = Objects.requireNonNull(directory, "directory");
        this.http = Objects.requireNonNull(http, "http");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.observer = Objects.requireNonNull(observer, "observer");
        this.split = split;
        this.permits = new Semaphore(settings.maxConcurrent());
    }

    /**
     * Starts casting to every healthy server of the order's service in its zones, or of its share.
     *
     * @return the fanout, whose {@link Fanout#done()} completes when every target has an outcome
     * @throws ServerBusy if the targets would exceed the bound on waiting targets
     * @throws ShareNotSeen if the order is a share and fewer than half of its ids are healthy servers here
     * @throws IllegalArgumentException if the service name is invalid, or a share names more than
     *     {@link Settings#maxShare()} servers (checked before any lookup)
     */
    public Fanout start(Order order) {
        long startNanos = System.nanoTime();
        if (order.only() != null && order.only().size() > settings.maxShare()) {
            // Before the lookup, so an oversized share costs nothing but its parsing.
            throw new IllegalArgumentException("targets names " + order.only().size() + " servers; a share names at most "
                    + settings.maxShare() + " (half of the " + settings.maxPending() + " targets a broadcaster lets"
                    + " wait: the largest slice a split hands out)");
        }
        Targets targets = resolve(order);
        if (targets.unknown.size() > targets.endpoints.size()) {
            throw new ShareNotSeen(targets.unknown.size() + " of the " + order.only().size() + " servers of this share"
                    + " are not healthy servers of " + order.service() + " as this broadcaster sees them; nothing was"
                    + " started, so the sender casts the share itself");
        }
        boolean splits = targets.endpoints.size() > settings.splitThreshold() && split != null;
        Fanout fanout = new Fanout(order, targets, splits ? shareTemplate(order.castBody()) : null);
        int n = targets.endpoints.size();
        if (n > 0 && pending.addAndGet(n) > settings.maxPending()) {
            pending.addAndGet(-n);
            throw new ServerBusy(n + " more targets would exceed the " + settings.maxPending() + " allowed to wait");
        }
        observer.started(n);
        fanout.done.whenComplete((r, e) -> observer.finished(startNanos));
        if (fanout.remaining.get() == 0) {
            fanout.done.complete(fanout.report());
            return fanout;
        }
        active.add(fanout);
        fanout.done.whenComplete((r, e) -> active.remove(fanout));
        List<Endpoint> peers = splits ? peers(split.self().get()) : List.of();
        int ways = Math.max(0, Math.min(Math.min(settings.splitWays(), peers.size()),
                (n + settings.splitThreshold() - 1) / settings.splitThreshold() - 1));
        // Equal parts; the first is cast here, each other one by a peer (which may split it again).
        int parts = ways + 1;
        for (int p = 0; p < parts; p++) {
            int from = (int) ((long) n * p / parts);
            int to = (int) ((long) n * (p + 1) / parts);
            if (p == 0) {
                enqueue(fanout, from, to);
            } else {
                handOver(fanout, peers.get(p - 1), from, to);
            }
        }
        pump();
        return fanout;
    }

    /** Waits until every fanout in flight is over, at most {@code grace}; says how many were not. */
    public int awaitActive(Duration grace) {
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

    private Targets resolve(Order order) {
        // A share names its servers by id; they are looked up wherever they are, as the sender resolved its scopes.
        List<ZoneScope> scopes = order.only() != null ? List.of(ZoneScope.all()) : order.scopes();
        Map<String, Endpoint> found = new LinkedHashMap<>();
        Set<Zone> unavailable = new LinkedHashSet<>();
        for (ZoneScope scope : scopes) {
            Resolution r = directory.resolve(Query.of(order.service()).scope(scope));
            r.endpoints().forEach(e -> {
                if (order.only() == null || order.only().contains(e.id())) {
                    found.putIfAbsent(e.id(), e);
                }
            });
            unavailable.addAll(r.unavailableZones());
        }
        List<Endpoint> endpoints = new ArrayList<>(found.values());
        // By id, so that shares are stable slices and a report lists servers in one order.
        endpoints.sort(Comparator.comparing(Endpoint::id));
        List<Delivery> unknown = new ArrayList<>();
        if (order.only() != null) {
            order.only().stream().filter(id -> !found.containsKey(id)).sorted().forEach(id -> unknown.add(
                    new Delivery(id, null, Outcome.REFUSED, null, "not a healthy server of " + order.service()
                            + " in the store as this broadcaster sees it; nothing was sent", true)));
        }
        String note = null;
        if (endpoints.isEmpty() && unknown.isEmpty()) {
            note = "no healthy server of " + order.service() + " in " + scopes.stream().map(this::describe).toList()
                    + (unavailable.isEmpty() ? "" : "; the store could not be reached for " + unavailable);
        }
        return new Targets(List.copyOf(endpoints), List.copyOf(unknown), note);
    }

    private String describe(ZoneScope scope) {
        return scope == ZoneScope.home() ? "home zone " + directory.zone() : scope.toString();
    }

    /** Other broadcasters: those of this zone first, in random order to spread the load, then the rest. */
    private List<Endpoint> peers(String selfId) {
        List<Endpoint> near = new ArrayList<>(directory.resolve(Query.of(RpcClient.BROADCASTER_SERVICE).home())
                .endpoints());
        List<Endpoint> far = new ArrayList<>(directory.resolve(Query.of(RpcClient.BROADCASTER_SERVICE).allZones())
                .endpoints());
        Collections.shuffle(near);
        Collections.shuffle(far);
        Map<String, Endpoint> peers = new LinkedHashMap<>();
        near.forEach(e -> peers.putIfAbsent(e.id(), e));
        far.forEach(e -> peers.putIfAbsent(e.id(), e));
        peers.remove(selfId);
        return List.copyOf(peers.values());
    }

    private void enqueue(Fanout fanout, int from, int to) {
        for (int i = from; i < to; i++) {
            queue.add(new Job(fanout, i, fanout.targets.endpoints.get(i), 1));
        }
    }

    /**
     * Starts queued jobs while permits last. Called after every enqueue and every completion, also from inside a send
     * that completed on the calling thread (as every send does once the client is stopped): such a nested call returns
     * at once, as the drain further up its stack looks again, so the stack stays flat however long the queue. Threads
     * do not wait for each other: each completion sends the next job on its own thread, so sending uses every core.
     */
    private void pump() {
        if (draining.get()) {
            return;
        }
        draining.set(true);
        try {
            drain();
        } finally {
            draining.remove();
        }
    }

    private void drain() {
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
        Request request = JsonPost.to(http, job.endpoint.baseUri(), Wire.RPC_PATH + f.order.service(),
                f.order.castBody(), settings.perTarget().toMillis(), f.order.authorization());
        CompletableFuture<ContentResponse> sent;
        try {
            sent = new CompletableResponseListener(request, MAX_ANSWER_BYTES).send();
        } catch (RuntimeException e) {
            // The client is stopping: nothing was sent.
            permits.release();
            finishLocal(f, job.index, new Delivery(job.endpoint.id(), job.endpoint.server(), Outcome.ERROR, null,
                    e.toString()));
            return;
        }
        sent.whenComplete((response, failure) -> {
            permits.release();
            if (failure != null && job.attempt == 1 && causedBy(failure, ConnectException.class)) {
                // Refused: the server never saw it, so once more is safe (it may have been restarting).
                observer.retrying(job.endpoint);
                queue.add(new Job(f, job.index, job.endpoint, 2));
            } else {
                finishLocal(f, job.index, outcome(job.endpoint, response, failure));
            }
            pump();
        });
    }

    /** Asks {@code peer} to cast to targets {@code from..to} and report; merges its report into the fanout's. */
    private void handOver(Fanout f, Endpoint peer, int from, int to) {
        List<Endpoint> share = f.targets.endpoints.subList(from, to);
        ObjectNode shareRequest = f.shareTemplate.deepCopy();
        ArrayNode ids = shareRequest.putArray("targets");
        share.forEach(e -> ids.add(e.id()));
        byte[] body;
        try {
            body = Wire.MAPPER.writeValueAsBytes(shareRequest);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a share of " + f.order.service() + ": " + e, e);
        }
        Request request = JsonPost.to(http, peer.baseUri(), Wire.FANOUT_PATH + f.order.service(), body,
                settings.peerTimeout().toMillis(), f.order.authorization())
                .headers(h -> h.put(PEER_TOKEN_HEADER, split.peerToken()));
        log.debug("fanout {} of {}: {} servers handed to peer {}", Untrusted.escape(f.order.msgId()),
                f.order.service(), share.size(), peer.baseUri());
        CompletableFuture<ContentResponse> sent;
        try {
            sent = new CompletableResponseListener(request, 4096 + REPORT_BYTES_PER_TARGET * share.size()).send();
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((response, failure) -> {
            if (failure == null && response.getStatus() == 200) {
                merge(f, peer, from, to, response);
            } else if (failure != null ? causedBy(failure, ConnectException.class) : notStarted(response)) {
                // The peer cannot have cast any of it: do it here rather than drop it.
                String why = failure != null ? Untrusted.escape(failure)
                        : "HTTP " + response.getStatus() + " " + Untrusted.escape(errorMessage(response));
                if (failure == null && (response.getStatus() == 401 || response.getStatus() == 403)) {
                    // A peer token that differs, or a peer without one: every split is cast here until it is fixed.
                    log.warn("fanout {} of {}: peer {} refused a share of {} servers ({}); casting it here. Give every"
                            + " broadcaster the same hotline.broadcaster.peer-token", Untrusted.escape(f.order.msgId()),
                            f.order.service(), peer.baseUri(), share.size(), why);
                } else {
                    log.info("fanout {} of {}: peer {} did not take a share of {} servers ({}); casting it here",
                            Untrusted.escape(f.order.msgId()), f.order.service(), peer.baseUri(), share.size(), why);
                }
                enqueue(f, from, to);
                pump();
            } else {
                String why = failure != null ? failure.toString()
                        : "HTTP " + response.getStatus() + " " + errorMessage(response);
                for (int i = from; i < to; i++) {
                    Endpoint e = f.targets.endpoints.get(i);
                    finishShared(f, i, new Delivery(e.id(), e.server(), Outcome.ERROR, null, "handed to peer"
                            + " broadcaster " + peer.baseUri() + ", which did not report (" + why + "); it may or may"
                            + " not have cast it, so it is not cast again"));
                }
            }
        });
    }

    /** A refusal before the peer started anything: bad request, token, body too large, busy. */
    private static boolean notStarted(ContentResponse response) {
        int status = response.getStatus();
        return (status >= 400 && status < 500) || status == 503;
    }

    private void merge(Fanout f, Endpoint peer, int from, int to, ContentResponse response) {
        Map<String, Delivery> byId = new HashMap<>();
        String problem = null;
        try {
            FanoutReport report = Wire.REPORT_READER.readValue(response.getContent());
            report.results().forEach(d -> byId.put(d.id(), d));
        } catch (IOException | RuntimeException e) {
            problem = "its answer is not a fanout report: " + e.getMessage();
        }
        int unsent = 0;
        for (int i = from; i < to; i++) {
            Endpoint e = f.targets.endpoints.get(i);
            Delivery d = byId.get(e.id());
            if (d != null && d.notSent()) {
                // The peer could not see it (its store is behind, or holds another zone) and sent nothing: cast here.
                queue.add(new Job(f, i, e, 1));
                unsent++;
            } else {
                finishShared(f, i, d != null ? d : new Delivery(e.id(), e.server(), Outcome.ERROR, null,
                        "handed to peer broadcaster " + peer.baseUri() + ", whose report "
                        + (problem != null ? "is unreadable: " + problem : "leaves it out") + "; not cast again"));
            }
        }
        if (unsent > 0) {
            log.info("fanout {} of {}: peer {} could not see {} servers of its share; casting them here",
                    Untrusted.escape(f.order.msgId()), f.order.service(), peer.baseUri(), unsent);
            pump();
        }
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
            return new Delivery(e.id(), e.server(), Outcome.TIMED_OUT, null, "no answer from " + e.baseUri()
                    + " within " + settings.perTarget() + "; it may still run the cast");
        }
        return new Delivery(e.id(), e.server(), Outcome.ERROR, null,
                "the exchange with " + e.baseUri() + " broke: " + failure);
    }

    private static String errorMessage(ContentResponse response) {
        try {
            Wire.ErrorBody body = Wire.ERROR_READER.readValue(response.getContent());
            if (body.error() != null) {
                return body.error().type() + ": " + body.error().message();
            }
        } catch (IOException | RuntimeException ignored) {
            // not a Hotline error body; say what we have
        }
        return "HTTP " + response.getStatus() + " without a Hotline error body";
    }

    private void finishLocal(Fanout f, int index, Delivery delivery) {
        observer.delivery(delivery.outcome());
        finishShared(f, index, delivery);
    }

    private void finishShared(Fanout f, int index, Delivery delivery) {
        pending.decrementAndGet();
        f.results.set(index, delivery);
        if (delivery.outcome() != Outcome.DELIVERED) {
            log.debug("fanout {} of {} to {}: {} {}", Untrusted.escape(f.order.msgId()), f.order.service(),
                    Untrusted.escape(delivery.id()), delivery.outcome(), Untrusted.escape(delivery.reason()));
        }
        if (f.remaining.decrementAndGet() == 0) {
            FanoutReport report = f.report();
            if (report.failed() > 0) {
                log.info("fanout {} of {}: {} of {} servers did not get it", Untrusted.escape(report.msgId()),
                        f.order.service(), report.failed(), report.targeted());
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

    /** The servers to cast to, sorted by id; a share's ids that are not healthy servers; why there are none. */
    private record Targets(List<Endpoint> endpoints, List<Delivery> unknown, String note) {}

    private record Job(Fanout fanout, int index, Endpoint endpoint, int attempt) {}

    /** One fanout in flight: its targets, their outcomes as they arrive, and the report once all are in. */
    public static final class Fanout {
        private final CompletableFuture<FanoutReport> done = new CompletableFuture<>();
        private final Order order;
        private final Targets targets;
        private final AtomicReferenceArray<Delivery> results;
        private final AtomicInteger remaining;
        /** What a share handed to a peer is made from; null when the fanout is not split. */
        private final ObjectNode shareTemplate;

        private Fanout(Order order, Targets targets, ObjectNode shareTemplate) {
            this.order = order;
            this.targets = targets;
            this.shareTemplate = shareTemplate;
            this.results = new AtomicReferenceArray<>(targets.endpoints.size());
            this.remaining = new AtomicInteger(targets.endpoints.size());
        }

        /** Completes with the report when every target has an outcome. */
        public CompletableFuture<FanoutReport> done() {
            return done;
        }

        public String msgId() {
            return order.msgId();
        }

        /** How many servers get the cast (a share's unknown ids included, which are reported refused at once). */
        public int targeted() {
            return targets.endpoints.size() + targets.unknown.size();
        }

        /** Why nothing was targeted, or null. */
        public String note() {
            return targets.note;
        }

        private FanoutReport report() {
            List<Delivery> list = new ArrayList<>(targeted());
            int delivered = 0;
            for (int i = 0; i < results.length(); i++) {
                Delivery d = results.get(i);
                list.add(d);
                if (d.outcome() == Outcome.DELIVERED) {
                    delivered++;
                }
            }
            list.addAll(targets.unknown);
            return new FanoutReport(msgId(), targeted(), delivered, targeted() - delivered, list, targets.note);
        }
    }
}

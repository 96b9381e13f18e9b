package io.hotline.rpc.internal.fanout;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hotline.discovery.Directory;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.Query;
import io.hotline.discovery.Resolution;
import io.hotline.discovery.Untrusted;
import io.hotline.discovery.Zone;
import io.hotline.discovery.ZoneScope;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.rpc.FanoutReport;
import io.hotline.rpc.FanoutReport.Delivery;
import io.hotline.rpc.FanoutReport.Outcome;
import io.hotline.rpc.ServerBusy;
import io.hotline.rpc.internal.tracing.TraceHeaders;
import io.hotline.rpc.internal.wire.Wire;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;
import org.eclipse.jetty.client.HttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hotline's one fanout implementation, run by the broadcaster and by an {@link io.hotline.rpc.RpcClient} that fans out
 * itself when no broadcaster is registered: resolves a service's healthy servers (or a peer's share of them) and casts
 * to each, completing a {@link Fanout} with every server's outcome. Two parts do the work: the {@code SendQueue} sends
 * the casts this process sends itself (the bound on requests in flight and on waiting targets, the per-target timeout,
 * at-most-once delivery), and, given a {@link Split}, the {@code TreeSplit} hands shares of large fanouts to peer
 * broadcasters.
 *
 * <pre>{@code
 * FanoutEngine engine = new FanoutEngine(directory, jettyClient, FanoutEngine.Settings.DEFAULT,
 *         FanoutEngine.Observer.NONE, null);                        // null: no peers, never split
 * // in a broadcaster: new FanoutEngine(..., new FanoutEngine.Split(() -> myEndpointId, peerToken))
 * FanoutReport report = engine.start(new FanoutEngine.Order("nova.compute", msgId, castJson,
 *         List.of(ZoneScope.home()), "Bearer s3cret", null)).done().join();
 * }</pre>

 */
public final class FanoutEngine {

    /** The header a share carries the broadcasters' peer token in, beside the client's Authorization header. */
    public static final String PEER_TOKEN_HEADER = "Hotline-Peer-Token";

    private static final Logger log = LoggerFactory.getLogger(FanoutEngine.class);

    /**
     * How an engine sends and splits, read from the configuration once ({@link #config}).
     *
     * <pre>{@code
     * FanoutEngine.Settings settings = FanoutEngine.Settings.DEFAULT.config(HotlineConfig.load()).maxConcurrent(128);
     * }</pre>
     *
     * @param maxConcurrent casts in flight at once, across all fanouts
     * @param perTarget how long one server may take to accept a cast, connecting included
     * @param maxPending targets that may wait, across all fanouts; a fanout beyond is refused with {@link ServerBusy}
     * @param splitThreshold above this many targets the fanout is split among peer broadcasters
     * @param splitWays how many shares one split hands out, at most, each to the first of a group of peers
     * @param peerTimeout how long a peer may take to report on its share
     */
    public record Settings(int maxConcurrent, Duration perTarget, int maxPending, int splitThreshold, int splitWays,
            Duration peerTimeout) {

        /** 64 casts at once, 5 s per server, 100,000 waiting targets, split above 500 among 4 peers, 60 s per peer. */
        public static final Settings DEFAULT = new Settings(64, Duration.ofSeconds(5), 100_000, 500, 4,
                Duration.ofSeconds(60));

        public Settings {
            positive(maxConcurrent, "max concurrent casts");
            positive(maxPending, "max pending targets");
            positive(splitThreshold, "split threshold");
            positive(splitWays, "split ways");
            positive(perTarget, "per-target timeout");
            positive(peerTimeout, "peer timeout");
        }

        /**
         * These settings with {@code hotline.broadcaster.max-concurrent}, {@code .target-timeout},
         * {@code .split-threshold}, {@code .split-ways} and {@code .peer-timeout} from {@code config}, each kept
         * unless set.
         */
        public Settings config(HotlineConfig config) {
            return new Settings(config.integer("hotline.broadcaster.max-concurrent", maxConcurrent),
                    config.duration("hotline.broadcaster.target-timeout", perTarget), maxPending,
                    config.integer("hotline.broadcaster.split-threshold", splitThreshold),
                    config.integer("hotline.broadcaster.split-ways", splitWays),
                    config.duration("hotline.broadcaster.peer-timeout", peerTimeout));
        }

        public Settings maxConcurrent(int casts) {
            return new Settings(casts, perTarget, maxPending, splitThreshold, splitWays, peerTimeout);
        }

        public Settings perTarget(Duration timeout) {
            return new Settings(maxConcurrent, timeout, maxPending, splitThreshold, splitWays, peerTimeout);
        }

        public Settings maxPending(int targets) {
            return new Settings(maxConcurrent, perTarget, targets, splitThreshold, splitWays, peerTimeout);
        }

        public Settings splitThreshold(int targets) {
            return new Settings(maxConcurrent, perTarget, maxPending, targets, splitWays, peerTimeout);
        }

        public Settings splitWays(int peers) {
            return new Settings(maxConcurrent, perTarget, maxPending, splitThreshold, peers, peerTimeout);
        }

        public Settings peerTimeout(Duration timeout) {
            return new Settings(maxConcurrent, perTarget, maxPending, splitThreshold, splitWays, timeout);
        }

        private static void positive(int value, String what) {
            if (value < 1) {
                throw new IllegalArgumentException(what + " " + value + " must be positive");
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
     * @param peers with a share, the endpoint ids of the broadcasters among which it is split by ownership (this one
     *     included; see {@code TreeSplit}); null for a fanout or a share its receiver casts entirely
     * @param trace the trace context every cast and share carries: the fanout's span
     */
    public record Order(String service, String msgId, byte[] castBody, List<ZoneScope> scopes, String authorization,
            Set<String> only, List<String> peers, TraceHeaders trace) {
        public Order {
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(msgId, "msgId");
            Objects.requireNonNull(castBody, "castBody");
            shareTemplate(castBody);
            scopes = List.copyOf(scopes);
            only = only == null ? null : Set.copyOf(only);
            peers = peers == null ? null : List.copyOf(peers);
            Objects.requireNonNull(trace, "trace");
        }

        /** An order that is no share split by ownership. */
        public Order(String service, String msgId, byte[] castBody, List<ZoneScope> scopes, String authorization,
                Set<String> only, TraceHeaders trace) {
            this(service, msgId, castBody, scopes, authorization, only, null, trace);
        }

        /** An order outside any trace. */
        public Order(String service, String msgId, byte[] castBody, List<ZoneScope> scopes, String authorization,
                Set<String> only) {
            this(service, msgId, castBody, scopes, authorization, only, null, TraceHeaders.NONE);
        }
    }

    /**
     * How a broadcaster's engine splits large fanouts among its peers.
     *
     * @param self the endpoint id of the broadcaster the engine runs in, read when a fanout is split (so that it can be
     *     set once registered; null until then, when the broadcaster owns nothing by it and casts every fanout itself)
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
    private final Settings settings;
    private final Observer observer;
    private final SendQueue queue;
    /** Null: this engine never splits. */
    private final TreeSplit tree;
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
        this.settings = Objects.requireNonNull(settings, "settings");
        this.observer = Objects.requireNonNull(observer, "observer");
        this.queue = new SendQueue(Objects.requireNonNull(http, "http"), settings, observer);
        this.tree = split == null ? null : new TreeSplit(directory, http, settings, split, queue);
    }

    /**
     * Starts casting to every healthy server of the order's service in its zones, or of its share.
     *
     * @return the fanout, whose {@link Fanout#done()} completes when every target has an outcome
     * @throws ServerBusy if the targets would exceed the bound on waiting targets
     * @throws ShareNotSeen if the order is a share and fewer than half of its ids are healthy servers here
     * @throws IllegalArgumentException if the service name is invalid, or a share names more than
     *     {@link Settings#maxPending()} servers (checked before any lookup)
     */
    public Fanout start(Order order) {
        long startNanos = System.nanoTime();
        if (order.only() != null && order.only().size() > settings.maxPending()) {
            // Before the lookup, so an oversized share costs nothing but its parsing. Not less: a share holds the
            // servers its group owns, up to all but the sender's of a fanout of this bound.
            throw new IllegalArgumentException("targets names " + order.only().size() + " servers; a share names at most "
                    + settings.maxPending() + " (the targets a broadcaster lets wait: a share is part of one fanout)");
        }
        Targets targets = resolve(order);
        if (targets.unknown.size() > targets.endpoints.size()) {
            throw new ShareNotSeen(targets.unknown.size() + " of the " + order.only().size() + " servers of this share"
                    + " are not healthy servers of " + order.service() + " as this broadcaster sees them; nothing was"
                    + " started, so the sender casts the share itself");
        }
        int n = targets.endpoints.size();
        // The threshold decides at the root alone: a share with peers follows ownership whatever its size, and one
        // without (from a broadcaster of an earlier version) is cast here entirely.
        boolean splits = tree != null && (order.peers() != null || (order.only() == null && tree.splits(n)));
        Fanout fanout = new Fanout(order, targets, splits ? shareTemplate(order.castBody()) : null);
        queue.admit(n);
        observer.started(n);
        fanout.done.whenComplete((r, e) -> observer.finished(startNanos));
        if (fanout.remaining.get() == 0) {
            fanout.done.complete(fanout.report());
            return fanout;
        }
        active.add(fanout);
        fanout.done.whenComplete((r, e) -> active.remove(fanout));
        if (splits) {
            tree.start(fanout);
        } else {
            queue.add(fanout, 0, n);
        }
        queue.pump();
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
            if (order.only() != null) {
                // By id through the resolution's index: a share costs its own size, not a scan of every server.
                order.only().forEach(id -> r.endpointWithId(id).ifPresent(e -> found.put(id, e)));
            } else {
                r.endpoints().forEach(e -> found.putIfAbsent(e.id(), e));
            }
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

    /** The servers to cast to, sorted by id; a share's ids that are not healthy servers; why there are none. */
    private record Targets(List<Endpoint> endpoints, List<Delivery> unknown, String note) {}

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

        Order order() {
            return order;
        }

        /** How many servers this engine casts to or hands to peers (a share's unknown ids left out). */
        int size() {
            return targets.endpoints.size();
        }

        Endpoint endpoint(int index) {
            return targets.endpoints.get(index);
        }

        /** What a share handed to a peer is made from; null when the fanout is not split. */
        ObjectNode shareTemplate() {
            return shareTemplate;
        }

        /** Records target {@code index}'s outcome; the last one completes {@link #done()} with the report. */
        void settle(int index, Delivery delivery) {
            results.set(index, delivery);
            if (delivery.outcome() != Outcome.DELIVERED) {
                log.debug("fanout {} of {} to {}: {} {}", Untrusted.escape(order.msgId()), order.service(),
                        Untrusted.escape(delivery.id()), delivery.outcome(), Untrusted.escape(delivery.reason()));
            }
            if (remaining.decrementAndGet() == 0) {
                FanoutReport report = report();
                if (report.failed() > 0) {
                    log.info("fanout {} of {}: {} of {} servers did not get it", Untrusted.escape(report.msgId()),
                            order.service(), report.failed(), report.targeted());
                }
                done.complete(report);
            }
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

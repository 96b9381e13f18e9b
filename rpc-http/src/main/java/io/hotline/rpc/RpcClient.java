package io.hotline.rpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import io.hotline.discovery.Directory;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.NoEndpointException;
import io.hotline.discovery.Query;
import io.hotline.discovery.Resolution;
import io.hotline.discovery.Selection;
import io.hotline.discovery.Zone;
import io.hotline.discovery.ZoneScope;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.internal.fanout.FanoutEngine;
import io.hotline.rpc.internal.security.ClientTls;
import io.hotline.rpc.internal.security.PemFiles;
import io.hotline.rpc.internal.wire.JsonPost;
import io.hotline.rpc.internal.wire.Wire;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.ClientConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An RPC client: finds servers through the discovery core (nearest zone first, the directory's selection strategy,
 * the last known servers while the store is down) and calls or casts to them over HTTP.
 *
 * <pre>{@code
 * try (RpcClient client = RpcClient.builder(store).token("s3cret").build()) {
 *     Target conductor = Target.topic("conductor").exchange("nova").version("1.3");
 *     String pong = client.prepare(conductor).call("ping", Map.of("arg", "x"), String.class);
 *     client.prepare(conductor).cast("refresh", Map.of());
 *     client.prepare(conductor.server("host-1")).timeout(Duration.ofSeconds(5)).call("stats", Map.of(), Map.class);
 *     client.prepare(conductor.asFanout()).cast("refresh", Map.of());      // every server, via a broadcaster
 *     FanoutReport report = client.prepare(conductor.asFanout()).fanoutWithReport("refresh", Map.of());
 * }
 * }</pre>
 *
 * <p>A call that never reached a server (refused, or never given a connection) is tried again on another server;
 * one that may have reached a server is not, unless marked {@link Prepared#idempotent()}. A server that answered 503
 * is tried again only after its Retry-After, another one at once. The timeout covers it all: the wait in this client
 * for one of the {@link Builder#maxConnectionsPerServer(int) connections to a server}, every try and any wait between
 * tries. After a {@link ServerBusy} nothing ran; after a {@link MessagingTimeout} the call may have run, unless its
 * message says the server did not run it. Thread-safe.
 */
public final class RpcClient implements AutoCloseable {

    /** The service broadcasters register as; fanout casts go to one of them, nearest first. */
    public static final String BROADCASTER_SERVICE = "hotline.broadcaster";

    /** The config key that lets a client fan out itself when no broadcaster is registered; false by default. */
    public static final String FANOUT_FALLBACK = "hotline.rpc.fanout-fallback";

    /** The config key of {@link Builder#maxConnectionsPerServer(int)}. */
    public static final String MAX_CONNECTIONS_PER_SERVER = "hotline.rpc.max-connections-per-server";

    /**
     * Connections to one server at most, unless set: as many as calls a server runs at once by default
     * ({@code hotline.rpc.max-concurrent-calls}), so that one client can bring a server to its own limit, where it
     * answers 503 and the client tries another server, instead of queueing calls behind a lower limit of its own.
     */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_SERVER = RpcServer.DEFAULT_MAX_CONCURRENT_CALLS;

    private static final Logger log = LoggerFactory.getLogger(RpcClient.class);
    private static final int MAX_ATTEMPTS = 3;
    private static final long MIN_PROBE_MILLIS = 1000;
    /** Less than this left of a timeout is not worth another try: no server answers that fast. */
    private static final long MIN_TRY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long DEFAULT_RETRY_AFTER_SECONDS = 1;

    private final Directory directory;
    private final HttpClient http;
    private final String token;
    private final Duration timeout;
    private final Version versionCap;
    private final Set<String> allowedRemoteExceptions;
    private final int maxResponseBytes;
    private final boolean fanoutFallback;
    private final int maxConnectionsPerServer;
    private FanoutEngine fallbackEngine;
    /** Call monitors' probes and retries waiting out a Retry-After; neither blocks. */
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hotline-rpc-client-scheduler");
        t.setDaemon(true);
        return t;
    });

    private RpcClient(Builder b) {
        Directory.Builder d = Directory.builder(b.store);
        if (b.zone != null) {
            d.zone(b.zone);
        }
        if (b.config != null) {
            d.config(b.config);
        }
        this.directory = d.build();
        this.token = b.token;
        this.timeout = b.timeout;
        this.versionCap = b.versionCap;
        this.allowedRemoteExceptions = Set.copyOf(b.allowedRemoteExceptions);
        this.maxResponseBytes = b.maxResponseBytes;
        this.fanoutFallback = b.fanoutFallback;
        this.maxConnectionsPerServer = b.maxConnectionsPerServer;
        ClientConnector connector = new ClientConnector();
        if (b.caFile != null || b.certFile != null) {
            connector.setSslContextFactory(PemFiles.clientTls(b.caFile, b.certFile, b.keyFile));
        }
        this.http = JsonPost.configure(new HttpClient(new HttpClientTransportOverHTTP(connector)),
                b.maxConnectionsPerServer);
        http.setConnectTimeout(b.connectTimeout.toMillis());
        http.setName("hotline-rpc-client");
        try {
            http.start();
        } catch (Exception e) {
            directory.close();
            throw new IllegalStateException("cannot start the HTTP client: " + e, e);
        }
    }

    /** Starts configuring a client that finds servers in {@code store}. */
    public static Builder builder(EndpointStore store) {
        return new Builder(store);
    }

    /** Calls and casts to {@code target}, with this client's defaults. */
    public Prepared prepare(Target target) {
        return new Prepared(Objects.requireNonNull(target, "target"), timeout, Map.of(), false, null, null);
    }

    /**
     * Stops the client. Fanouts it runs itself ({@link Builder#fanoutFallback(boolean)}) are first given up to the
     * client's timeout to reach their servers, so that a short-lived process that casts and exits still casts.
     */
    @Override
    public void close() {
        scheduler.shutdownNow();
        FanoutEngine engine = existingFallbackEngine();
        if (engine != null) {
            int unfinished = engine.awaitActive(timeout);
            if (unfinished > 0) {
                log.warn("closing with {} fanouts of this client unfinished after {}; their remaining servers do not"
                        + " get the cast", unfinished, timeout);
            }
        }
        try {
            http.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the HTTP client: " + e, e);
        } finally {
            directory.close();
        }
    }

    /** A target with per-invocation settings (oslo's {@code client.prepare(...)}). Immutable. */
    public final class Prepared {
        private final Target target;
        private final Duration timeout;
        private final Map<String, Object> context;
        private final boolean idempotent;
        private final Duration callMonitor;
        /** The zones a fanout targets: home, all or one zone; null leaves it to the broadcaster's default (home). */
        private final ZoneScope fanoutScope;

        private Prepared(Target target, Duration timeout, Map<String, Object> context, boolean idempotent,
                Duration callMonitor, ZoneScope fanoutScope) {
            this.target = target;
            this.timeout = timeout;
            this.context = context;
            this.idempotent = idempotent;
            this.callMonitor = callMonitor;
            this.fanoutScope = fanoutScope;
        }

        /**
         * For a fanout target: which zones' servers get the cast. {@link ZoneScope#home()} (the default) is the
         * broadcaster's home zone, {@link ZoneScope#all()} every zone, {@link ZoneScope#in} one named zone. A client
         * fanning out itself ({@link Builder#fanoutFallback(boolean)}) reads home as its own zone.
         */
        public Prepared fanoutScope(ZoneScope scope) {
            if (scope != ZoneScope.home() && scope != ZoneScope.all() && !(scope instanceof ZoneScope.In)) {
                throw new IllegalArgumentException("a fanout goes to every server of its zones; use home(), all() or"
                        + " in(zone), not " + scope);
            }
            return new Prepared(target, timeout, context, idempotent, callMonitor, scope);
        }

        /** The fanout request's {@code zones}: "home", "all" or a list of zone paths; null leaves it to the default. */
        private Object fanoutZones() {
            if (fanoutScope == null) {
                return null;
            }
            if (fanoutScope == ZoneScope.home()) {
                return "home";
            }
            return fanoutScope instanceof ZoneScope.In in ? List.of(in.zone().path()) : "all";
        }

        /**
         * How long a call waits for its reply, in all: waiting for a connection, every try and any wait for a busy
         * server's Retry-After; raises {@link MessagingTimeout} after (or {@link ServerBusy} if it was never sent).
         * The server is told it too, and does not start a call that waited there past it.
         */
        public Prepared timeout(Duration timeout) {
            return new Prepared(target, positive(timeout), context, idempotent, callMonitor, fanoutScope);
        }

        /** The request context sent along (oslo's {@code ctxt}), e.g. user, project and request id. */
        public Prepared context(Map<String, ?> context) {
            // Not Map.copyOf: a context may hold nulls (oslo contexts often do).
            return new Prepared(target, timeout, Collections.unmodifiableMap(new LinkedHashMap<>(context)), idempotent,
                    callMonitor, fanoutScope);
        }

        /** Safe to run twice: a call that failed after reaching a server may be tried again on another. */
        public Prepared idempotent() {
            return new Prepared(target, timeout, context, true, callMonitor, fanoutScope);
        }

        /**
         * Asks the server every {@code interval} whether it still runs the call, and fails with
         * {@link MessagingTimeout} as soon as it does not (oslo's call_monitor_timeout): a dead server is noticed
         * after about two intervals (a silent one after at least 1 s) instead of the full timeout.
         */
        public Prepared callMonitor(Duration interval) {
            return new Prepared(target, timeout, context, idempotent, positive(interval), fanoutScope);
        }

        /** Calls {@code method} and waits for its result, converted to {@code type}. */
        public <T> T call(String method, Map<String, ?> args, Class<T> type) {
            return join(callAsync(method, args, type));
        }

        public <T> CompletableFuture<T> callAsync(String method, Map<String, ?> args, Class<T> type) {
            if (target.fanout()) {
                throw new InvalidTarget("a call cannot go to a fanout target; use cast, or a target without fanout");
            }
            JavaType javaType = Wire.MAPPER.getTypeFactory().constructType(type);
            return send("call", method, args).thenApply(reply -> RpcClient.this.<T>decodeResult(reply, javaType));
        }

        /** Returns once a server has accepted (queued) the message. */
        public void cast(String method, Map<String, ?> args) {
            join(castAsync(method, args));
        }

        /**
         * Casts to one server of the target; for a fanout target, to every server of the target's zones through a
         * broadcaster, returning once the broadcaster has started the casts.
         */
        public CompletableFuture<Void> castAsync(String method, Map<String, ?> args) {
            if (target.fanout() && fanOutHere()) {
                return fanout(method, args).thenApply(f -> null);
            }
            return send("cast", method, args, target.fanout() ? Boolean.FALSE : null).thenApply(reply -> {
                checkStatus(reply);
                return null;
            });
        }

        /**
         * A fanout cast that waits until every targeted server has accepted it or failed to, and says which did.
         * Waits at most this prepared timeout.
         *
         * @throws InvalidTarget if the target is not a fanout target ({@link Target#asFanout()}), or no broadcaster
         *     is registered
         */
        public FanoutReport fanoutWithReport(String method, Map<String, ?> args) {
            return join(fanoutWithReportAsync(method, args));
        }

        public CompletableFuture<FanoutReport> fanoutWithReportAsync(String method, Map<String, ?> args) {
            if (!target.fanout()) {
                throw new InvalidTarget("a fanout report needs a fanout target; use target.asFanout()");
            }
            if (fanOutHere()) {
                return fanout(method, args).thenCompose(FanoutEngine.Fanout::done);
            }
            return send("cast", method, args, Boolean.TRUE).thenApply(reply -> {
                byte[] content = checkStatus(reply);
                try {
                    return Wire.REPORT_READER.<FanoutReport>readValue(content);
                } catch (IOException e) {
                    throw new RpcException("the broadcaster's answer is not a fanout report: " + e.getMessage(), e);
                }
            });
        }

        /** Whether this client casts to every server itself: it may, and no broadcaster is registered in any zone. */
        private boolean fanOutHere() {
            return fanoutFallback && directory.resolve(Query.of(BROADCASTER_SERVICE)).isEmpty();
        }

        /** Starts a fanout from this client, with the engine a broadcaster runs; completes once it is under way. */
        private CompletableFuture<FanoutEngine.Fanout> fanout(String method, Map<String, ?> args) {
            String msgId = UUID.randomUUID().toString();
            byte[] body = body("cast", method, args, msgId, null);
            try {
                return CompletableFuture.completedFuture(fallbackEngine().start(new FanoutEngine.Order(
                        target.service(), msgId, body, List.of(fanoutScope == null ? ZoneScope.home() : fanoutScope), token == null ? null : "Bearer " + token,
                        null)));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        private CompletableFuture<ContentResponse> send(String kind, String method, Map<String, ?> args) {
            return send(kind, method, args, null);
        }

        /** @param report null for a message to one server; for a fanout, whether to ask for a report */
        private CompletableFuture<ContentResponse> send(String kind, String method, Map<String, ?> args,
                Boolean report) {
            Tries tries = new Tries(kind, method, args, UUID.randomUUID().toString(), report,
                    System.nanoTime() + timeout.toNanos());
            // Written here, so that a version above the cap or arguments that are not JSON fail the caller at once.
            attempt(tries, body(kind, method, args, tries.msgId, report, timeout));
            return tries.result;
        }

        /** The JSON body of a message to one server ({@code report} null) or of a fanout request. */
        private byte[] body(String kind, String method, Map<String, ?> args, String msgId, Boolean report) {
            return body(kind, method, args, msgId, report, timeout);
        }

        /** The same, telling the server that the caller waits {@code wait} (what is left of its timeout). */
        private byte[] body(String kind, String method, Map<String, ?> args, String msgId, Boolean report,
                Duration wait) {
            Objects.requireNonNull(method, "method");
            Version requested = Version.parse(target.version());
            if (versionCap != null && requested.compareTo(versionCap) > 0) {
                throw new VersionCapError("version " + requested + " of " + target.service() + "." + method
                        + " is above this client's version cap " + versionCap);
            }
            try {
                Object named = args == null ? Map.of() : args;
                Double seconds = wait.toNanos() / 1e9;
                return report != null
                        ? Wire.FANOUT_WRITER.writeValueAsBytes(new Wire.FanoutRequest(kind, method, named, context,
                                target.namespace(), target.version(), msgId, seconds, fanoutZones(), report))
                        : Wire.REQUEST_WRITER.writeValueAsBytes(new Wire.OutgoingRequest(kind, method, named, context,
                                target.namespace(), target.version(), msgId, seconds));
            } catch (IllegalArgumentException | JsonProcessingException e) {
                throw new InvalidRequest("cannot write the arguments of " + method + " as JSON: " + e.getMessage());
            }
        }

        /**
         * Sends the message to a server chosen for it. A server that said busy (503) is not sent it again before its
         * Retry-After; another server is tried at once. When every server it may go to said busy, the next try waits
         * for the Retry-After, or, if that lies beyond the call's deadline, the call fails with {@link ServerBusy}
         * saying when to try again. Every try gets what is left of the one timeout.
         *
         * @param body the message for this try, or null to write it with the time left
         */
        private void attempt(Tries t, byte[] body) {
            Pick pick;
            try {
                pick = choose(t.tried);
            } catch (RuntimeException e) {
                t.result.completeExceptionally(e);
                return;
            }
            Endpoint endpoint = pick.endpoint();
            long now = System.nanoTime();
            long left = t.deadline - now;
            Long busyUntil = t.busyUntil.get(endpoint.id());
            if (busyUntil != null && busyUntil - now > 0) {
                // choose() prefers a server not tried yet, so every server this may go to said busy.
                pick.release().run();
                long wait = busyUntil - now;
                if (wait >= left) {
                    t.result.completeExceptionally(new ServerBusy("every server tried for " + target.service() + "."
                            + t.method + " said it was busy (" + t.sent + " tries) and asked to be sent it again in "
                            + Duration.ofNanos(wait).toMillis() + " ms at the soonest, after this call's timeout of "
                            + timeout + " runs out; nothing ran", Duration.ofNanos(wait)));
                } else {
                    // On the client's own scheduler: the common pool has one thread on a 2-core machine, and a
                    // burst of retries queued there would start after their deadlines.
                    try {
                        scheduler.schedule(() -> attempt(t, null), wait, TimeUnit.NANOSECONDS);
                    } catch (RejectedExecutionException e) {
                        t.result.completeExceptionally(new RpcException("the client was closed while " + t.kind + " "
                                + target.service() + "." + t.method + " waited to be tried again; nothing ran", e));
                    }
                }
                return;
            }
            if (body == null && left < MIN_TRY_NANOS) {
                // A retry that starts this late (a Retry-After wait that ran long on a busy machine) could not get an
                // answer in time; sent with what is left, the server would refuse it as expired anyway.
                pick.release().run();
                t.result.completeExceptionally(new MessagingTimeout(t.kind + " " + target.service() + "." + t.method
                        + " was not tried again: its timeout of " + timeout + " ran out after " + t.sent
                        + (t.sent == 1 ? " try" : " tries") + (idempotent ? "" : ", none of which ran it (the servers"
                        + " said busy or refused the connection)"), null));
                return;
            }
            tried(t, endpoint);
            byte[] message = body != null ? body
                    : body(t.kind, t.method, t.args, t.msgId, t.report, Duration.ofNanos(Math.max(left, 1)));
            String path = target.fanout() ? Wire.FANOUT_PATH : Wire.RPC_PATH;
            // Jetty's timeout runs from send(), so time spent waiting for one of the connections to this server
            // counts against it.
            Request request = JsonPost.to(http, endpoint.baseUri(), path + target.service(), message,
                    Math.max(TimeUnit.NANOSECONDS.toMillis(left), 1), token == null ? null : "Bearer " + token);
            // Jetty begins a request once a connection is its own; until then nothing was written, so nothing ran.
            AtomicBoolean begun = new AtomicBoolean();
            request.onRequestBegin(r -> begun.set(true));
            ScheduledFuture<?> monitor = callMonitor != null && "call".equals(t.kind)
                    ? monitor(endpoint, t.msgId, request, t.method, begun) : null;
            new CompletableResponseListener(request, maxResponseBytes).send().whenComplete((response, failure) -> {
                // No answer at all ejects the server for a while (see Directory), so that this call's retry and other
                // callers pick another instead of waiting out the same timeout.
                if (causedBy(failure, ConnectException.class) || causedBy(failure, TimeoutException.class)) {
                    pick.unanswered().run();
                }
                pick.release().run();
                if (monitor != null) {
                    monitor.cancel(false);
                }
                boolean triesLeft = t.sent < MAX_ATTEMPTS && t.deadline - System.nanoTime() > 0;
                // A 503 was refused before any work was done, so another server may take it now, this one later.
                if (failure == null && response.getStatus() == 503) {
                    t.busyUntil.put(endpoint.id(), System.nanoTime() + retryAfter(response).toNanos());
                    if (triesLeft) {
                        attempt(t, null);
                        return;
                    }
                }
                if (failure == null) {
                    t.result.complete(response);
                    return;
                }
                boolean neverSent = !begun.get();
                if ((neverSent || idempotent) && triesLeft && !causedBy(failure, TimeoutException.class)) {
                    attempt(t, null);
                } else {
                    t.result.completeExceptionally(transportError(t.kind, t.method, endpoint, failure, neverSent));
                }
            });
        }

        private void tried(Tries t, Endpoint endpoint) {
            t.tried.add(endpoint.id());
            t.sent++;
        }

        /**
         * Polls the server for the running call. Two misses in a row (not running, or no answer) abort the request
         * with a MessagingTimeout naming the reason: one alone may be the moment between the call's end on the
         * server and its reply reaching us. A probe waits at least {@value #MIN_PROBE_MILLIS} ms for its answer: a
         * busy but live server may take longer than a short interval to answer, and must not be given up on.
         */
        private ScheduledFuture<?> monitor(Endpoint endpoint, String msgId, Request call, String method,
                AtomicBoolean begun) {
            long every = callMonitor.toMillis();
            AtomicInteger misses = new AtomicInteger();
            return scheduler.scheduleWithFixedDelay(() -> {
                if (!begun.get()) {
                    // Still waiting for a connection to the server, which therefore cannot know of the call.
                    return;
                }
                Request probe = http.newRequest(endpoint.baseUri() + "/v1/calls/" + msgId)
                        .timeout(Math.max(every, MIN_PROBE_MILLIS), TimeUnit.MILLISECONDS);
                if (token != null) {
                    probe.headers(h -> h.put(HttpHeader.AUTHORIZATION, "Bearer " + token));
                }
                probe.send(result -> {
                    boolean running = result.isSucceeded() && result.getResponse().getStatus() == 200;
                    if (running) {
                        misses.set(0);
                    } else if (misses.incrementAndGet() >= 2) {
                        String why = result.isSucceeded() ? "it no longer runs the call"
                                : "it stopped answering (" + result.getFailure() + ")";
                        call.abort(new MessagingTimeout("call " + target.service() + "." + method + " to "
                                + endpoint.baseUri() + " was given up after the call monitor found " + why, null));
                    }
                });
            }, every, every, TimeUnit.MILLISECONDS);
        }

        /** A server of the target not tried yet; the named server only, if the target names one. */
        private Pick choose(Set<String> tried) {
            if (target.fanout()) {
                // A fanout goes to a broadcaster, which casts to every server of the target.
                try {
                    return pickAny(Query.of(BROADCASTER_SERVICE), tried);
                } catch (NoEndpointException e) {
                    throw new InvalidTarget("no broadcaster registered (" + BROADCASTER_SERVICE + ") to fan out to "
                            + target.service() + "; start one, or let clients fan out themselves with "
                            + FANOUT_FALLBACK + "=true: " + e.getMessage());
                }
            }
            Query query = Query.of(target.service());
            if (target.server() != null) {
                Resolution r = directory.resolve(query.allZones());
                List<Endpoint> named = r.endpoints().stream().filter(e -> target.server().equals(e.server())).toList();
                if (named.isEmpty()) {
                    throw new InvalidTarget("server " + target.server() + " is not registered (healthy) for "
                            + target.service() + "; registered: " + r.endpoints().stream().map(Endpoint::server)
                                    .distinct().toList());
                }
                List<Endpoint> fresh = named.stream().filter(e -> !tried.contains(e.id())).toList();
                List<Endpoint> pool = fresh.isEmpty() ? named : fresh;
                return new Pick(pool.get(ThreadLocalRandom.current().nextInt(pool.size())), () -> { }, () -> { });
            }
            return pickAny(query, tried);
        }

        /** Any endpoint the directory selects for {@code query}, preferring one not tried yet. */
        private Pick pickAny(Query query, Set<String> tried) {
            Selection s = directory.select(query);
            for (int i = 0; i < 8 && tried.contains(s.endpoint().id()); i++) {
                s.close();
                s = directory.select(query);
            }
            if (tried.contains(s.endpoint().id())) {
                // Random picks can keep landing on servers tried already (with two of three tried, 4% of the time
                // after eight); a caller that takes every server for busy then would wait for nothing.
                List<Endpoint> fresh = directory.resolve(query).endpoints().stream()
                        .filter(e -> !tried.contains(e.id())).toList();
                if (!fresh.isEmpty()) {
                    s.close();
                    return new Pick(fresh.get(ThreadLocalRandom.current().nextInt(fresh.size())), () -> { },
                            () -> { });
                }
            }
            return new Pick(s.endpoint(), s::failed, s::close);
        }

        /** @param neverSent whether the request failed before a connection was its own: nothing reached the server */
        private RuntimeException transportError(String kind, String method, Endpoint endpoint, Throwable failure,
                boolean neverSent) {
            for (Throwable c = failure; c != null; c = c.getCause()) {
                if (c instanceof MessagingTimeout monitored) {
                    return monitored;
                }
            }
            String what = kind + " " + target.service() + "." + method + " to " + endpoint.baseUri();
            if (neverSent && causedBy(failure, TimeoutException.class)) {
                return new ServerBusy(what + " was never sent: it waited its whole timeout of " + timeout + " in this"
                        + " client for a connection to that server (all " + maxConnectionsPerServer + " this client"
                        + " opens to one server, " + MAX_CONNECTIONS_PER_SERVER + ", busy with other requests, or"
                        + " connecting took that long); nothing ran, so it may be sent again", null);
            }
            if (neverSent && !causedBy(failure, ConnectException.class)) {
                return new RpcException("cannot " + what + ", nothing was sent: " + failure, failure);
            }
            if (causedBy(failure, TimeoutException.class)) {
                return new MessagingTimeout("no reply to " + what + " within " + timeout, failure);
            }
            if (causedBy(failure, ConnectException.class)) {
                return new RpcException("cannot " + what + ": " + failure, failure);
            }
            // Anything but a refused connection may have broken after the server read the request, and a bare
            // EOFException would let the caller think nothing happened and send it again.
            if (target.fanout()) {
                return new RpcException("the fanout cast " + target.service() + "." + method + " broke mid-way: the"
                        + " connection to broadcaster " + endpoint.baseUri() + " broke after the request was sent ("
                        + failure + "); servers of " + target.service() + " may already have received it, some or"
                        + " all, and it is not sent again (a fanout reaches each server at most once); check them"
                        + " before casting it again", failure);
            }
            return new RpcException("the connection broke after " + what + " was sent (" + failure + "); the server"
                    + " may already have received it" + ("call".equals(kind) ? " and run it" : "")
                    + ", and it is not sent again (at most once" + (idempotent ? "; the tries allowed are used up"
                    : " unless marked idempotent") + ")", failure);
        }
    }

    /**
     * One message's way to a server: what to send, the servers tried, those that said busy and until when
     * ({@link System#nanoTime()}), and the deadline of its one timeout. Tries follow one another, never overlap.
     */
    private static final class Tries {
        final String kind;
        final String method;
        final Map<String, ?> args;
        final String msgId;
        final Boolean report;
        final long deadline;
        final Set<String> tried = new HashSet<>();
        final Map<String, Long> busyUntil = new HashMap<>();
        final CompletableFuture<ContentResponse> result = new CompletableFuture<>();
        int sent;

        Tries(String kind, String method, Map<String, ?> args, String msgId, Boolean report, long deadline) {
            this.kind = kind;
            this.method = method;
            this.args = args;
            this.msgId = msgId;
            this.report = report;
            this.deadline = deadline;
        }
    }

    /**
     * How long a server that answered 503 asked not to be sent anything (Retry-After in seconds, as Hotline servers
     * send it, or an HTTP date); {@value #DEFAULT_RETRY_AFTER_SECONDS} s when it did not say, or not readably, so
     * that a busy server is never sent the same request again at once.
     */
    static Duration retryAfter(org.eclipse.jetty.client.Response response) {
        String value = response.getHeaders().get(HttpHeader.RETRY_AFTER);
        if (value != null) {
            String v = value.strip();
            try {
                if (!v.isEmpty() && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    return Duration.ofSeconds(Long.parseLong(v));
                }
                Duration until = Duration.between(Instant.now(),
                        ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return until.isNegative() ? Duration.ZERO : until;
            } catch (NumberFormatException | DateTimeParseException e) {
                // Neither form: the default below.
            }
        }
        return Duration.ofSeconds(DEFAULT_RETRY_AFTER_SECONDS);
    }

    private synchronized FanoutEngine existingFallbackEngine() {
        return fallbackEngine;
    }

    /** The engine for fanouts from this client, made at the first; each server gets the client's timeout to accept. */
    private synchronized FanoutEngine fallbackEngine() {
        if (fallbackEngine == null) {
            FanoutEngine.Settings d = FanoutEngine.Settings.DEFAULT;
            fallbackEngine = new FanoutEngine(directory, http, new FanoutEngine.Settings(d.maxConcurrent(), timeout,
                    d.maxPending(), d.splitThreshold(), d.splitWays(), d.peerTimeout()), FanoutEngine.Observer.NONE,
                    null);
        }
        return fallbackEngine;
    }

    @SuppressWarnings("unchecked")
    private <T> T decodeResult(ContentResponse reply, JavaType type) {
        byte[] content = checkStatus(reply);
        try {
            return (T) Wire.readResult(content, type);
        } catch (IOException e) {
            throw new RpcException("the reply is not a " + type.toCanonical() + " result: " + e.getMessage(), e);
        }
    }

    private <T> T join(CompletableFuture<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RpcException("interrupted while waiting for a reply", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null ? c.getCause()
                    : e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new RpcException(String.valueOf(cause), cause);
        }
    }

    /** The endpoint a message goes to, what to do if it did not answer, and when the exchange with it is over. */
    private record Pick(Endpoint endpoint, Runnable unanswered, Runnable release) {}

    /** The body of a 2xx reply; any other status becomes the matching exception. */
    private byte[] checkStatus(ContentResponse reply) {
        int status = reply.getStatus();
        if (status >= 200 && status < 300) {
            return reply.getContent();
        }
        Wire.Error error;
        try {
            error = Wire.ERROR_READER.<Wire.ErrorBody>readValue(reply.getContent()).error();
        } catch (IOException | RuntimeException e) {
            error = null;
        }
        if (error == null || error.type() == null) {
            throw new RpcException("HTTP " + status + " without a Hotline error body");
        }
        String message = error.message();
        throw switch (error.type()) {
            case "NoSuchMethod" -> new NoSuchMethod(message);
            case "UnsupportedVersion" -> new UnsupportedVersion(message);
            case "InvalidRequest" -> new InvalidRequest(message);
            case "InvalidTarget" -> new InvalidTarget(message);
            case "AccessDenied" -> new AccessDenied(message);
            case "ServerBusy" -> busy(message, retryAfter(reply));
            // The server did not run it: its timeout ran out while it waited there (504).
            case "Expired" -> new MessagingTimeout("the server did not run it: " + message, null);
            default -> status == 500 ? remote(error) : new RpcException("HTTP " + status + ": " + message);
        };
    }

    private static ServerBusy busy(String message, Duration retryAfter) {
        return new ServerBusy(message + " (it asked to be sent it again after " + retryAfter.toMillis() + " ms)",
                retryAfter);
    }

    /** The remote exception as itself when its type is allowed and constructible, else a {@link RemoteError}. */
    private RuntimeException remote(Wire.Error error) {
        RemoteError remote = new RemoteError(error.type(), error.message(),
                error.trace() == null ? List.of() : error.trace());
        if (!allowedRemoteExceptions.contains(error.type())) {
            return remote;
        }
        try {
            Class<?> type = Class.forName(error.type(), false, RpcClient.class.getClassLoader());
            if (RuntimeException.class.isAssignableFrom(type)) {
                RuntimeException e = (RuntimeException) type.getConstructor(String.class).newInstance(error.message());
                e.initCause(remote);
                return e;
            }
        } catch (ReflectiveOperationException | IllegalStateException e) {
            remote.addSuppressed(e);
        }
        return remote;
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private static Duration positive(Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("timeout " + d + " must be positive");
        }
        return d;
    }

    /** Configures an {@link RpcClient}. */
    public static final class Builder {
        private final EndpointStore store;
        private String token;
        private Zone zone;
        private Duration timeout = Duration.ofSeconds(60);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Version versionCap;
        private Set<String> allowedRemoteExceptions = Set.of();
        private int maxResponseBytes = 16 << 20;
        private boolean fanoutFallback;
        private int maxConnectionsPerServer = DEFAULT_MAX_CONNECTIONS_PER_SERVER;
        private Path caFile;
        private Path certFile;
        private Path keyFile;
        private HotlineConfig config;

        private Builder(EndpointStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /**
         * Reads {@code hotline.http.token}, {@code hotline.rpc.response-timeout} (oslo's rpc_response_timeout),
         * {@code hotline.http.tls.cafile}, {@code hotline.http.tls.client-certfile} / {@code client-keyfile},
         * {@code hotline.zone}, {@value #FANOUT_FALLBACK}, {@value #MAX_CONNECTIONS_PER_SERVER}, and the servers'
         * report interval for its directory ({@link Directory.Builder#config}).
         */
        public Builder config(HotlineConfig config) {
            this.config = config;
            config.string("hotline.http.token").ifPresent(this::token);
            timeout(config.duration("hotline.rpc.response-timeout", timeout));
            ClientTls tls = ClientTls.from(config);
            tls.caFile().ifPresent(this::trust);
            tls.certFile().ifPresent(cert -> clientCertificate(cert, tls.keyFile().orElseThrow()));
            config.string(HotlineConfig.ZONE).filter(z -> !z.isEmpty()).ifPresent(z -> zone(config.zone()));
            fanoutFallback(config.flag(FANOUT_FALLBACK, fanoutFallback));
            int connections = config.integer(MAX_CONNECTIONS_PER_SERVER, maxConnectionsPerServer);
            if (connections < 1) {
                throw config.invalid(MAX_CONNECTIONS_PER_SERVER, "must be a positive whole number: connections this"
                        + " client opens to one server at most, e.g. " + DEFAULT_MAX_CONNECTIONS_PER_SERVER);
            }
            maxConnectionsPerServer(connections);
            return this;
        }

        /**
         * How many connections this client opens to one server at most, so how many of its requests one server runs
         * at once; {@value #DEFAULT_MAX_CONNECTIONS_PER_SERVER} (a server's default
         * {@code hotline.rpc.max-concurrent-calls}). A request beyond waits in the client (Jetty's queue, 1,024 per
         * server) for a connection to come free, and that wait counts against its timeout: one that waits it all out
         * fails with {@link ServerBusy}, never sent, so nothing ran and it may be sent again. Config key
         * {@value #MAX_CONNECTIONS_PER_SERVER}.
         *
         * <pre>{@code
         * RpcClient client = RpcClient.builder(store).maxConnectionsPerServer(200).build();
         * }</pre>
         */
        public Builder maxConnectionsPerServer(int connections) {
            if (connections < 1) {
                throw new IllegalArgumentException("max connections per server " + connections + " must be positive");
            }
            this.maxConnectionsPerServer = connections;
            return this;
        }

        /**
         * Whether a fanout cast goes straight from this client to every server when no broadcaster is registered in
         * any zone, with the same report and the same at-most-once delivery as through a broadcaster; off by default
         * (a fanout then fails with {@link InvalidTarget}), as a client has neither the broadcaster's connections
         * nor its tree split. Config key {@value #FANOUT_FALLBACK}.
         */
        public Builder fanoutFallback(boolean enabled) {
            this.fanoutFallback = enabled;
            return this;
        }

        /** Trusts servers whose certificates chain to a CA in this PEM file, instead of the JDK's default CAs. */
        public Builder trust(Path caFile) {
            this.caFile = Objects.requireNonNull(caFile, "caFile");
            return this;
        }

        /** Presents this PEM certificate and PKCS#8 key to servers that require client certificates. */
        public Builder clientCertificate(Path certFile, Path keyFile) {
            this.certFile = Objects.requireNonNull(certFile, "certFile");
            this.keyFile = Objects.requireNonNull(keyFile, "keyFile");
            return this;
        }

        /** Sent as {@code Authorization: Bearer token} (the proposal's http_token). */
        public Builder token(String token) {
            this.token = token == null || token.isEmpty() ? null : token;
            return this;
        }

        /** This client's zone, for nearest-first selection; the store's home zone unless set. */
        public Builder zone(Zone zone) {
            this.zone = Objects.requireNonNull(zone, "zone");
            return this;
        }

        /** How long a call waits for its reply; 60 s (oslo's rpc_response_timeout). */
        public Builder timeout(Duration timeout) {
            this.timeout = positive(timeout);
            return this;
        }

        /** How long establishing a connection may take before another server is tried; 5 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout);
            return this;
        }

        /** Calls for a higher version fail with {@link VersionCapError} before anything is sent. */
        public Builder versionCap(String version) {
            this.versionCap = Version.parse(Objects.requireNonNull(version, "version"));
            return this;
        }

        /**
         * Fully qualified names of exception types re-raised as themselves when a server method throws them (oslo's
         * allowed_remote_exmods); they need a public (String) constructor. Others arrive as {@link RemoteError}.
         */
        public Builder allowRemoteExceptions(Set<String> typeNames) {
            this.allowedRemoteExceptions = Set.copyOf(typeNames);
            return this;
        }

        public RpcClient build() {
            return new RpcClient(this);
        }
    }
}

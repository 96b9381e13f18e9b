package io.hotline.rpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import io.hotline.discovery.Directory;
import io.hotline.discovery.Zone;
import io.hotline.discovery.ZoneScope;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.internal.fanout.FanoutEngine;
import io.hotline.rpc.internal.security.ClientTls;
import io.hotline.rpc.internal.security.PemFiles;
import io.hotline.rpc.internal.tracing.TraceHeaders;
import io.hotline.rpc.internal.tracing.Tracing;
import io.hotline.rpc.internal.wire.H2cTransport;
import io.hotline.rpc.internal.wire.JsonPost;
import io.hotline.rpc.internal.wire.Version;
import io.hotline.rpc.internal.wire.Wire;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.HttpClientTransport;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
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
    public static final String BROADCASTER_SERVICE = Wire.BROADCASTER_SERVICE;

    /** The config key that lets a client fan out itself when no broadcaster is registered; false by default. */
    public static final String FANOUT_FALLBACK = "hotline.rpc.fanout-fallback";

    /** The config key of {@link Builder#transport(HttpTransport)}: {@code http/1.1} (the default) or {@code h2c}. */
    public static final String TRANSPORT = "hotline.http.transport";

    /** The config key of {@link Builder#maxConnectionsPerServer(int)}. */
    public static final String MAX_CONNECTIONS_PER_SERVER = "hotline.rpc.max-connections-per-server";

    /**
     * Connections to one server at most, unless set: as many as calls a server runs at once by default
     * ({@code hotline.rpc.max-concurrent-calls}), so that one client can bring a server to its own limit, where it
     * answers 503 and the client tries another server, instead of queueing calls behind a lower limit of its own.
     * The server takes its default from here: rpc-http does not depend on the server.
     */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_SERVER = 1000;

    private static final Logger log = LoggerFactory.getLogger(RpcClient.class);

    private final Directory directory;
    /** Whether {@link #directory} is this client's own, closed with it, or shared ({@link #builder(Directory)}). */
    private final boolean ownsDirectory;
    private final HttpClient http;
    private final String token;
    private final Duration timeout;
    private final Version versionCap;
    private final ReplyDecoder decoder;
    private final int maxResponseBytes;
    private final boolean fanoutFallback;
    private final int maxConnectionsPerServer;
    private final Exchange.Client exchanges;
    private final ClientMetrics metrics;
    private FanoutEngine fallbackEngine;
    /** Call monitors' probes and retries waiting out a Retry-After; neither blocks. */
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hotline-rpc-client-scheduler");
        t.setDaemon(true);
        return t;
    });

    private RpcClient(Builder b) {
        this.ownsDirectory = b.directory == null;
        this.directory = ownsDirectory ? ownDirectory(b) : b.directory;
        this.token = b.token;
        this.timeout = b.timeout;
        this.versionCap = b.versionCap;
        this.decoder = new ReplyDecoder(b.allowedRemoteExceptions);
        this.maxResponseBytes = b.maxResponseBytes;
        this.fanoutFallback = b.fanoutFallback;
        this.maxConnectionsPerServer = b.maxConnectionsPerServer;
        ClientConnector connector = new ClientConnector();
        if (b.caFile != null || b.certFile != null) {
            connector.setSslContextFactory(PemFiles.clientTls(b.caFile, b.certFile, b.keyFile));
        }
        HttpClientTransport transport = b.transport == HttpTransport.H2C
                ? new H2cTransport(connector)
                : new HttpClientTransportOverHTTP(connector);
        this.http = JsonPost.configure(new HttpClient(transport), b.maxConnectionsPerServer);
        http.setConnectTimeout(b.connectTimeout.toMillis());
        http.setName("hotline-rpc-client");
        try {
            http.start();
        } catch (Exception e) {
            closeDirectory();
            throw new IllegalStateException("cannot start the HTTP client: " + e, e);
        }
        this.metrics = new ClientMetrics(b.meterRegistry);
        this.exchanges = new Exchange.Client(http, directory, scheduler, authorization(), maxResponseBytes,
                maxConnectionsPerServer, b.transport, metrics);
    }

    private static Directory ownDirectory(Builder b) {
        Directory.Builder d = Directory.builder(b.store);
        if (b.zone != null) {
            d.zone(b.zone);
        }
        if (b.config != null) {
            d.config(b.config);
        }
        return d.build();
    }

    private void closeDirectory() {
        if (ownsDirectory) {
            directory.close();
        }
    }

    /** Starts configuring a client that finds servers in {@code store}, through a directory of its own. */
    public static Builder builder(EndpointStore store) {
        return new Builder(Objects.requireNonNull(store, "store"), null);
    }

    /**
     * Starts configuring a client that finds servers through {@code directory}, shared with other clients and servers
     * of this process (one cache and one set of store watches for all); closing the client leaves it open. The
     * directory's zone and report interval apply; a zone set on the builder must be the directory's.
     *
     * <pre>{@code
     * try (Directory directory = Directory.builder(store).config(config).build();
     *         RpcClient scheduler = RpcClient.builder(directory).config(config).build();
     *         RpcClient conductor = RpcClient.builder(directory).config(config).timeout(Duration.ofMinutes(5)).build()) {
     *     ...
     * }
     * }</pre>
     */
    public static Builder builder(Directory directory) {
        return new Builder(null, Objects.requireNonNull(directory, "directory"));
    }

    /** Calls and casts to {@code target}, with this client's defaults. */
    public Prepared prepare(Target target) {
        Objects.requireNonNull(target, "target");
        return new Prepared(target, Route.of(target, fanoutFallback), timeout, Map.of(), false, null, null);
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
            closeDirectory();
        }
    }

    /** A target with per-invocation settings (oslo's {@code client.prepare(...)}). Immutable. */
    public final class Prepared {
        private final Target target;
        /** The target's service name, made once: every message names it several times. */
        private final String service;
        /** Where its messages go, chosen once. */
        private final Route route;
        private final Duration timeout;
        private final Map<String, Object> context;
        private final boolean idempotent;
        private final Duration callMonitor;
        /** The zones a fanout targets: home, all or one zone; null leaves it to the broadcaster's default (home). */
        private final ZoneScope fanoutScope;

        private Prepared(Target target, Route route, Duration timeout, Map<String, Object> context,
                boolean idempotent, Duration callMonitor, ZoneScope fanoutScope) {
            this.target = target;
            this.service = target.service();
            this.route = route;
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
            return new Prepared(target, route, timeout, context, idempotent, callMonitor, scope);
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
            return new Prepared(target, route, positive(timeout), context, idempotent, callMonitor, fanoutScope);
        }

        /** The request context sent along (oslo's {@code ctxt}), e.g. user, project and request id. */
        public Prepared context(Map<String, ?> context) {
            // Not Map.copyOf: a context may hold nulls (oslo contexts often do).
            return new Prepared(target, route, timeout, Collections.unmodifiableMap(new LinkedHashMap<>(context)),
                    idempotent, callMonitor, fanoutScope);
        }

        /** Safe to run twice: a call that failed after reaching a server may be tried again on another. */
        public Prepared idempotent() {
            return new Prepared(target, route, timeout, context, true, callMonitor, fanoutScope);
        }

        /**
         * Asks the server every {@code interval} whether it still runs the call, and fails with
         * {@link MessagingTimeout} as soon as it does not (oslo's call_monitor_timeout): a dead server is noticed
         * after about two intervals (a silent one after at least 1 s) instead of the full timeout.
         */
        public Prepared callMonitor(Duration interval) {
            return new Prepared(target, route, timeout, context, idempotent, positive(interval), fanoutScope);
        }

        /** Calls {@code method} and waits for its result, converted to {@code type}. */
        public <T> T call(String method, Map<String, ?> args, Class<T> type) {
            return join(callAsync(method, args, type));
        }

        public <T> CompletableFuture<T> callAsync(String method, Map<String, ?> args, Class<T> type) {
            if (route instanceof Route.ToBroadcaster) {
                throw new InvalidTarget("a call cannot go to a fanout target; use cast, or a target without fanout");
            }
            JavaType javaType = Wire.MAPPER.getTypeFactory().constructType(type);
            long start = System.nanoTime();
            Tracing.Span span = span(method);
            return measured("call", method, start, span, send("call", method, args, span.headers())
                    .thenApply(reply -> RpcClient.this.<T>decodeResult(reply, javaType)));
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
            long start = System.nanoTime();
            Tracing.Span span = span(method);
            if (route instanceof Route.ToBroadcaster broadcast) {
                return measured("fanout", method, start, span, fanout(broadcast, method, args, false, span.headers(),
                        reply -> {
                            decoder.body(reply);
                            return null;
                        }, local -> CompletableFuture.completedFuture(null)));
            }
            return measured("cast", method, start, span, send("cast", method, args, span.headers()).thenApply(reply -> {
                decoder.body(reply);
                return null;
            }));
        }

        /** A client span for one call, cast or fanout of {@code method}: {@code service/method}. */
        private Tracing.Span span(String method) {
            return Tracing.get().client(service + "/" + method);
        }

        /** {@code result}, recorded in the client's metrics and ending {@code span} when it completes. */
        private <T> CompletableFuture<T> measured(String kind, String method, long start, Tracing.Span span,
                CompletableFuture<T> result) {
            return result.whenComplete((value, failure) -> {
                metrics.record(kind, service, method, start, failure);
                span.end(failure == null ? null : ClientMetrics.outcome(failure));
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
            if (!(route instanceof Route.ToBroadcaster broadcast)) {
                throw new InvalidTarget("a fanout report needs a fanout target; use target.asFanout()");
            }
            long start = System.nanoTime();
            Tracing.Span span = span(method);
            return measured("fanout", method, start, span, fanout(broadcast, method, args, true, span.headers(),
                    reply -> {
                byte[] content = decoder.body(reply);
                try {
                    return Wire.REPORT_READER.<FanoutReport>readValue(content);
                } catch (IOException e) {
                    throw new RpcException("the broadcaster's answer is not a fanout report: " + e.getMessage(), e);
                }
            }, FanoutEngine.Fanout::done));
        }

        /**
         * A fanout: to a broadcaster, or, when the client may and no broadcaster is registered, from this client with
         * the engine a broadcaster runs.
         *
         * @param answered reads the broadcaster's answer
         * @param local what to wait for of a fanout from this client, once it is under way
         */
        private <T> CompletableFuture<T> fanout(Route.ToBroadcaster broadcast, String method, Map<String, ?> args,
                boolean report, TraceHeaders trace, Function<ContentResponse, T> answered,
                Function<FanoutEngine.Fanout, CompletableFuture<T>> local) {
            String msgId = Wire.newMsgId();
            // Written first, so that a version above the cap or arguments that are not JSON fail the caller at once.
            byte[] request = body("cast", method, args, msgId, report, timeout);
            Route.Pick broadcaster;
            try {
                broadcaster = broadcast.first(directory);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
            if (broadcaster != null) {
                return exchange("cast", method, args, msgId, report, trace).start(request, broadcaster)
                        .thenApply(answered);
            }
            byte[] cast = body("cast", method, args, msgId, null, timeout);
            FanoutEngine.Fanout fanout;
            try {
                fanout = fallbackEngine().start(new FanoutEngine.Order(service, msgId, cast,
                        List.of(fanoutScope == null ? ZoneScope.home() : fanoutScope), authorization(), null, trace));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
            return local.apply(fanout);
        }

        /** Sends a message to one server of the target. */
        private CompletableFuture<ContentResponse> send(String kind, String method, Map<String, ?> args,
                TraceHeaders trace) {
            String msgId = Wire.newMsgId();
            // Written here, so that a version above the cap or arguments that are not JSON fail the caller at once.
            byte[] first = body(kind, method, args, msgId, null, timeout);
            return exchange(kind, method, args, msgId, null, trace).start(first, null);
        }

        private Exchange exchange(String kind, String method, Map<String, ?> args, String msgId, Boolean report,
                TraceHeaders trace) {
            Exchange.Message message = new Exchange.Message(kind, service, service + "." + method,
                    msgId, wait -> body(kind, method, args, msgId, report, wait), trace);
            return new Exchange(exchanges, route, message, timeout, new RetryPolicy(idempotent),
                    callMonitor == null ? null : new CallMonitor(http, scheduler, authorization(), callMonitor));
        }

        /**
         * The JSON body of a message to one server ({@code report} null) or of a fanout request, telling the server
         * that the caller waits {@code wait} (what is left of its timeout).
         */
        private byte[] body(String kind, String method, Map<String, ?> args, String msgId, Boolean report,
                Duration wait) {
            Objects.requireNonNull(method, "method");
            Version requested = Version.parse(target.version());
            if (versionCap != null && requested.compareTo(versionCap) > 0) {
                throw new VersionCapError("version " + requested + " of " + service + "." + method
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
    }

    private synchronized FanoutEngine existingFallbackEngine() {
        return fallbackEngine;
    }

    /** The engine for fanouts from this client, made at the first; each server gets the client's timeout to accept. */
    private synchronized FanoutEngine fallbackEngine() {
        if (fallbackEngine == null) {
            fallbackEngine = new FanoutEngine(directory, http, FanoutEngine.Settings.DEFAULT.perTarget(timeout),
                    FanoutEngine.Observer.NONE, null);
        }
        return fallbackEngine;
    }

    /** The Authorization header's value, or null without a token. */
    private String authorization() {
        return token == null ? null : "Bearer " + token;
    }

    @SuppressWarnings("unchecked")
    private <T> T decodeResult(ContentResponse reply, JavaType type) {
        byte[] content = decoder.body(reply);
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

    private static Duration positive(Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("timeout " + d + " must be positive");
        }
        return d;
    }

    /** Configures an {@link RpcClient}. */
    public static final class Builder {
        /** Null with a shared {@link #directory}. */
        private final EndpointStore store;
        private final Directory directory;
        private String token;
        private Zone zone;
        private Duration timeout = Duration.ofSeconds(60);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Version versionCap;
        private Set<String> allowedRemoteExceptions = Set.of();
        private int maxResponseBytes = 16 << 20;
        private boolean fanoutFallback;
        private int maxConnectionsPerServer = DEFAULT_MAX_CONNECTIONS_PER_SERVER;
        private HttpTransport transport = HttpTransport.HTTP_1_1;
        private Path caFile;
        private Path certFile;
        private Path keyFile;
        private HotlineConfig config;
        private MeterRegistry meterRegistry = Metrics.globalRegistry;

        private Builder(EndpointStore store, Directory directory) {
            this.store = store;
            this.directory = directory;
        }

        /**
         * Reads {@code hotline.http.token}, {@code hotline.rpc.response-timeout} (oslo's rpc_response_timeout),
         * {@code hotline.http.tls.cafile}, {@code hotline.http.tls.client-certfile} / {@code client-keyfile},
         * {@code hotline.zone}, {@value #FANOUT_FALLBACK}, {@value #MAX_CONNECTIONS_PER_SERVER}, {@value #TRANSPORT},
         * and the servers' report interval for its directory ({@link Directory.Builder#config}; a client on a shared
         * directory keeps the directory's).
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
            String configuredTransport = config.string(TRANSPORT, "");
            if (!configuredTransport.isEmpty()) {
                try {
                    transport(HttpTransport.parse(configuredTransport));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(TRANSPORT + " (from " + config.sourceOf(TRANSPORT) + "): "
                            + e.getMessage());
                }
            }
            return this;
        }

        /**
         * How requests travel to {@code http://} servers: {@link HttpTransport#HTTP_1_1} (the default), or
         * {@link HttpTransport#H2C}, HTTP/2 with prior knowledge, for a client that calls few servers a lot: one
         * multiplexed connection to each carries up to 128 calls at once (a Hotline server's streams per connection;
         * the client opens more, up to {@link #maxConnectionsPerServer(int)}, beyond). {@code https://} servers are
         * called over HTTP/1.1 either way. A server with {@code hotline.http.h2c=false} answers an h2c client's
         * calls with an {@link RpcException} that says so, nothing sent. Config key {@value #TRANSPORT}.
         *
         * <pre>{@code
         * RpcClient conductor = RpcClient.builder(store).transport(HttpTransport.H2C).build();
         * }</pre>
         */
        public Builder transport(HttpTransport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
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

        /**
         * Where the client's meters go ({@code hotline.rpc.client.requests} by service, kind, method and outcome, with
         * histogram buckets, and {@code hotline.rpc.client.retries}); Micrometer's global registry by default, which
         * keeps them nowhere until the application adds a registry to it.
         *
         * <pre>{@code
         * RpcClient client = RpcClient.builder(store).meterRegistry(prometheusRegistry).build();
         * }</pre>
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
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
            if (directory != null && zone != null && !zone.equals(directory.zone())) {
                throw new IllegalArgumentException("the client's zone " + zone + " is not its shared directory's zone "
                        + directory.zone() + "; build the directory with the same zone");
            }
            return new RpcClient(this);
        }
    }
}

package io.hotline.rpc.server;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.Target;
import io.hotline.rpc.internal.wire.Version;
import io.hotline.rpc.internal.wire.Wire;
import io.hotline.rpc.server.internal.security.TokenCheck;
import io.hotline.rpc.server.internal.serving.Readiness;
import io.hotline.rpc.server.internal.serving.ServedMetrics;
import io.hotline.rpc.server.internal.serving.Serving;
import io.hotline.rpc.server.internal.serving.ServingSettings;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import org.glassfish.jersey.CommonProperties;
import org.glassfish.jersey.internal.inject.AbstractBinder;
import org.glassfish.jersey.jetty.JettyHttpContainer;
import org.glassfish.jersey.server.ContainerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An RPC server: serves one {@link Target}'s endpoint objects over HTTP and registers itself in the endpoint store,
 * kept alive by heartbeats, until closed.
 *
 * <pre>{@code
 * try (RpcServer server = RpcServer.builder(store)
 *         .target(Target.topic("conductor").exchange("nova").server("host-1"))
 *         .endpoint(new ConductorApi())                       // default namespace, version 1.0
 *         .endpoint("baseapi", "1.1", new BaseApi())
 *         .config(HotlineConfig.load())                       // port range, token, host
 *         .start()) {
 *     ...
 * }
 * }</pre>
 *
 * <p>{@code POST /v1/rpc/{service}} is served by a Jetty handler on the request's own thread (a body still arriving
 * holds none); the rest (health, the OpenAPI document, metrics, the call monitor) by a JAX-RS application behind it.
 * Calls run at most {@code maxConcurrentCalls} at once, each on a request thread of its own beside those that serve
 * everything else; casts are queued and answered 202 once queued. Both are bounded: beyond the bound the client gets
 * 503 with Retry-After, never a silent drop. The cast queue is bounded by count and by the time its casts take to
 * run, which must fit in the grace period, since a 202 promises that the cast runs. Closing deregisters first, keeps
 * serving for the drain delay while clients learn of it, then lets calls finish within the grace period and runs
 * every queued cast (past the grace period, up to the cast drain limit, if casts ran slower than estimated). With
 * {@code tls(cert, key)} it serves HTTPS and registers as such.
 */
public final class RpcServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RpcServer.class);
    /**
     * Calls a server runs at once at most unless set ({@code hotline.rpc.max-concurrent-calls}): as many as one client
     * opens connections to it by default, so that the two defaults cannot drift apart.
     */
    static final int DEFAULT_MAX_CONCURRENT_CALLS = RpcClient.DEFAULT_MAX_CONNECTIONS_PER_SERVER;
    private static final String CAST_DRAIN_LIMIT = "hotline.rpc.cast-drain-limit";
    private static final String MAX_CONCURRENT_CALLS = "hotline.rpc.max-concurrent-calls";
    private static final String CAST_THREADS = "hotline.rpc.cast-threads";
    private static final String CAST_QUEUE = "hotline.rpc.cast-queue";
    /** Each cast thread is a platform thread of its own. */
    private static final int MAX_CAST_THREADS = 1000;
    /** The cast drain limit unless set: well past the default grace period, as a stop has no client waiting. */
    private static final Duration DEFAULT_CAST_DRAIN_LIMIT = Duration.ofMinutes(5);

    private final Serving serving;
    private final Semaphore callSlots;
    private final CastQueue casts;
    private final Duration grace;
    private final Duration castDrainLimit;

    private RpcServer(Builder b) {
        Target target = Objects.requireNonNull(b.target, "target: call target(...) before start()");
        if (b.endpoints.isEmpty()) {
            throw new IllegalStateException("the server has no endpoint objects; add one with endpoint(...)");
        }
        Dispatcher dispatcher = new Dispatcher(b.endpoints, b.accessPolicy);
        ListenerSettings listener = b.serving.listener();
        this.grace = listener.grace();
        if (b.castDrainLimit != null && b.castDrainLimit.compareTo(grace) < 0) {
            throw new IllegalArgumentException("the cast drain limit " + b.castDrainLimit + " is shorter than the grace"
                    + " period " + grace + "; casts are admitted to run within the grace period, so give them at"
                    + " least that");
        }
        this.castDrainLimit = b.castDrainLimit != null ? b.castDrainLimit
                : grace.compareTo(DEFAULT_CAST_DRAIN_LIMIT) > 0 ? grace : DEFAULT_CAST_DRAIN_LIMIT;
        this.casts = new CastQueue(target.service(), b.castThreads, b.castQueue, grace);

        this.callSlots = new Semaphore(b.maxConcurrentCalls);
        ServerMetrics metrics = new ServerMetrics(ServedMetrics.of(b.meterRegistry), target.service(), casts,
                callSlots, b.maxConcurrentCalls);
        RpcProcessor processor = new RpcProcessor(target.service(), dispatcher, casts, callSlots, metrics);
        RpcResource resource = new RpcResource(processor, metrics,
                b.apiDocument != null ? ApiDocument.from(b.apiDocument) : ApiDocument.builtIn(), this::readiness);
        TokenCheck tokenCheck = b.serving.token() == null ? null : new TokenCheck(b.serving.token());
        // The class plus a binding to the instance: registering the instance itself makes Jersey warn that a
        // "provider" is ignored (eclipse-ee4j/jersey#3700).
        ResourceConfig app = new ResourceConfig()
                .register(RpcResource.class)
                .register(new AbstractBinder() {
                    @Override
                    protected void configure() {
                        bind(resource).to(RpcResource.class);
                    }
                })
                .register(new WebErrorMapper())
                // Bodies are byte[] read and written with Wire's Jackson objects; no other entity provider is needed.
                .property(CommonProperties.PROVIDER_DEFAULT_DISABLE, "DATASOURCE,DOMSOURCE,RENDEREDIMAGE,SAXSOURCE")
                .property(ServerProperties.WADL_FEATURE_DISABLE, true)
                .property(ServerProperties.FEATURE_AUTO_DISCOVERY_DISABLE, true)
                .property(ServerProperties.METAINF_SERVICES_LOOKUP_DISABLE, true);
        if (tokenCheck != null) {
            app.register(new TokenFilter(tokenCheck));
        }
        JettyHttpContainer container = ContainerFactory.createContainer(JettyHttpContainer.class, app);
        try {
            // A call holds its request thread for as long as its method runs. A thread per call slot on top of the
            // listener's own keeps those for the rest (reading requests, /healthz, /metrics, the call monitor, 503
            // refusals): calls filling every slot never keep a health check waiting, and the slots, not the
            // threads, bound the calls.
            ServingSettings settings = b.serving.listener(listener.maxThreads(listener.maxThreads()
                    + b.maxConcurrentCalls));
            this.serving = Serving.start(settings, "hotline-rpc",
                    new RpcHandler(processor, tokenCheck, listener.bodyTimeout(), container), b.store,
                    target.service(), target.server(), b.metadata);
        } catch (RuntimeException e) {
            casts.drain(Duration.ZERO, Duration.ZERO);
            throw e;
        }
        Endpoint endpoint = serving.endpoint();
        log.info("serving {} at {} as {}", target.service(), endpoint.baseUri(), endpoint.id());
    }

    /** What {@code /readyz} answers: the serving's readiness, or saturated while every call slot is taken. */
    private Readiness readiness() {
        Serving s = serving;
        if (s == null) {
            // Requests reach the listener before the registration returns.
            return Readiness.STARTING;
        }
        Readiness r = s.readiness();
        return r.ready() && callSlots.availablePermits() == 0 ? Readiness.SATURATED : r;
    }

    /** Starts configuring a server that registers in {@code store}. */
    public static Builder builder(EndpointStore store) {
        return new Builder(store);
    }

    /** The registration other processes find this server by. */
    public Endpoint endpoint() {
        return serving.endpoint();
    }

    /** The port the server listens on. */
    public int port() {
        return serving.endpoint().port();
    }

    /**
     * Deregisters, waits the drain delay so that clients' caches drop this server, then finishes calls in flight
     * within the grace period (new requests get 503), and runs every cast it answered 202: within the grace period,
     * as admission counted on, or on up to the cast drain limit, logging how many remain, if they ran slower.
     */
    @Override
    public void close() {
        serving.close();
        casts.drain(grace, castDrainLimit);
    }

    /** Configures an {@link RpcServer}; {@link #start()} binds, starts and registers it. */
    public static final class Builder {
        private final EndpointStore store;
        private final List<Dispatcher.Endpoint> endpoints = new ArrayList<>();
        private final Map<String, String> metadata = new LinkedHashMap<>();
        private Target target;
        private AccessPolicy accessPolicy = AccessPolicy.DEFAULT;
        private ServingSettings serving = ServingSettings.DEFAULT;
        private int maxConcurrentCalls = DEFAULT_MAX_CONCURRENT_CALLS;
        private MeterRegistry meterRegistry;
        private Path apiDocument;
        private int castThreads = 8;
        private int castQueue = 10_000;
        /** Null: {@link #DEFAULT_CAST_DRAIN_LIMIT}, or the grace period if longer. */
        private Duration castDrainLimit;

        private Builder(EndpointStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /** What this server serves: exchange, topic and, usually, its own server name. */
        public Builder target(Target target) {
            if (target.fanout()) {
                throw new IllegalArgumentException("a server's target is not a fanout target");
            }
            this.target = target;
            return this;
        }

        /** An endpoint object in the default namespace at version 1.0. */
        public Builder endpoint(Object implementation) {
            return endpoint(null, "1.0", implementation);
        }

        /** An endpoint object in {@code namespace} (null = default) serving {@code version} ({@code major.minor}). */
        public Builder endpoint(String namespace, String version, Object implementation) {
            endpoints.add(new Dispatcher.Endpoint(namespace, Version.parse(version), implementation));
            return this;
        }

        /** Which public methods may be called; {@link AccessPolicy#DEFAULT} refuses names starting with '_'. */
        public Builder accessPolicy(AccessPolicy policy) {
            this.accessPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Reads the listener's keys ({@link ListenerSettings#config}, {@code hotline.http.body-timeout} among
         * them), {@code hotline.http.token}, {@code hotline.http.drain-delay}, {@code hotline.http.api-config-file},
         * {@code hotline.zone}, {@code hotline.rpc.max-concurrent-calls}, {@code .cast-threads}, {@code .cast-queue},
         * {@code .cast-drain-limit} and the health policy's keys ({@link HealthPolicy#config}).
         */
        public Builder config(HotlineConfig config) {
            serving = serving.config(config);
            Duration grace = serving.listener().grace();
            Duration limit = config.duration(CAST_DRAIN_LIMIT, null);
            if (limit != null) {
                if (limit.compareTo(grace) < 0) {
                    throw config.invalid(CAST_DRAIN_LIMIT, "is shorter than the grace period " + grace
                            + "; casts are admitted to run within the grace period, so give them at least that");
                }
                castDrainLimit(limit);
            }
            config.string("hotline.http.api-config-file").filter(f -> !f.isEmpty()).ifPresent(f -> apiDocument(Path.of(f)));
            maxConcurrentCalls(positive(config, MAX_CONCURRENT_CALLS, maxConcurrentCalls));
            int threads = positive(config, CAST_THREADS, castThreads);
            if (threads > MAX_CAST_THREADS) {
                throw config.invalid(CAST_THREADS, "is more than " + MAX_CAST_THREADS + "; each is a thread of its"
                        + " own: to take more casts at once, raise " + CAST_QUEUE + " instead");
            }
            castExecution(threads, positive(config, CAST_QUEUE, castQueue));
            return this;
        }

        private static int positive(HotlineConfig config, String key, int defaultValue) {
            int value = config.integer(key, defaultValue);
            if (value < 1) {
                throw config.invalid(key, "must be a positive whole number");
            }
            return value;
        }

        /**
         * How the server listens: port range, host, HTTPS, timeouts, body limit, grace period; what
         * {@link #config(HotlineConfig)} reads into it unless set here. The setters below change one setting each.
         *
         * <pre>{@code
         * RpcServer.builder(store).listener(ListenerSettings.DEFAULT.config(config).host("10.0.0.5"))
         * }</pre>
         */
        public Builder listener(ListenerSettings settings) {
            serving = serving.listener(settings);
            return this;
        }

        /** Ports to try in order; an ephemeral port unless set. */
        public Builder portRange(PortRange range) {
            return listener(serving.listener().portRange(range));
        }

        /**
         * The address to listen on, 127.0.0.1 unless set; {@code 0.0.0.0} or {@code ::} listens on every interface.
         * It is also the address registered, unless {@link #advertisedHost} says otherwise; for a wildcard, the
         * host's routable address is registered.
         */
        public Builder host(String host) {
            return listener(serving.listener().host(host));
        }

        /**
         * The host name or address to register, which clients connect to, when it is not the one listened on: behind
         * NAT, or a name in the server's certificate ({@code hotline.http.advertised-host}).
         *
         * <pre>{@code
         * RpcServer.builder(store).host("0.0.0.0").advertisedHost("compute-1.example.org")
         * }</pre>
         *
         * @throws IllegalArgumentException if empty or a wildcard address
         */
        public Builder advertisedHost(String host) {
            serving = serving.advertisedHost(host);
            return this;
        }

        /** Requires {@code Authorization: Bearer token} on every RPC request (the proposal's http_token). */
        public Builder token(String token) {
            serving = serving.token(token);
            return this;
        }

        /** The zone to register in; the store's home zone unless set. */
        public Builder zone(Zone zone) {
            serving = serving.zone(zone);
            return this;
        }

        /** How often the registration is renewed and when the store gives up on it; {@link HealthPolicy#DEFAULT}. */
        public Builder healthPolicy(HealthPolicy policy) {
            serving = serving.healthPolicy(policy);
            return this;
        }

        /** Capabilities and other attributes clients can select on, e.g. {@code free_disk_gb}. */
        public Builder metadata(String key, String value) {
            metadata.put(key, value);
            return this;
        }

        /** Idle connections are closed after this (the proposal's listen_timeout); 60 s. */
        public Builder listenTimeout(Duration timeout) {
            return listener(serving.listener().listenTimeout(timeout));
        }

        /** A request body not whole this long after the request began gets 408 and its connection closed; 10 s. */
        public Builder bodyTimeout(Duration timeout) {
            return listener(serving.listener().bodyTimeout(timeout));
        }

        /**
         * How long close() waits for calls in flight and queued casts; 30 s. The cast queue admits only as many casts
         * as its threads are estimated to run in this time.
         */
        public Builder gracePeriod(Duration grace) {
            return listener(serving.listener().grace(grace));
        }

        /** How long close() keeps serving after deregistering, so clients stop choosing this server; 2 s. */
        public Builder drainDelay(Duration delay) {
            serving = serving.drainDelay(delay);
            return this;
        }

        /** Serves HTTPS with this PEM certificate chain and unencrypted PKCS#8 PEM key. */
        public Builder tls(Path certFile, Path keyFile) {
            return listener(serving.listener().tls(certFile, keyFile));
        }

        /** With {@link #tls}: clients must present a certificate signed by a CA in this PEM file. */
        public Builder requireClientCertificates(Path caFile) {
            return listener(serving.listener().requireClientCertificates(caFile));
        }

        /**
         * Calls beyond this many at once get 503 with Retry-After; 1,000. The server has a request thread for each
         * on top of the listener's 200, so calls never take the threads health checks and metrics need.
         */
        public Builder maxConcurrentCalls(int calls) {
            if (calls < 1) {
                throw new IllegalArgumentException("max concurrent calls " + calls + " must be positive");
            }
            this.maxConcurrentCalls = calls;
            return this;
        }

        /**
         * Serves this OpenAPI document at {@code /openapi.json} instead of the built-in one (the proposal's
         * http_api_config_file), e.g. a copy with the deployment's server URLs.
         */
        public Builder apiDocument(Path file) {
            this.apiDocument = Objects.requireNonNull(file, "file");
            return this;
        }

        /**
         * Where the server's meters go besides {@code GET /metrics}: any Micrometer registry (OTLP, a composite, ...).
         * A Prometheus registry is also what {@code /metrics} scrapes; any other gets the meters while a Prometheus
         * registry of the server's own serves {@code /metrics}, which is all there is by default.
         *
         * <pre>{@code
         * MeterRegistry registry = new OtlpMeterRegistry(otlpConfig, Clock.SYSTEM);
         * RpcServer.builder(store).meterRegistry(registry).target(target).endpoint(api).start();
         * }</pre>
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** Larger request bodies get 413; 1 MiB. */
        public Builder maxBodyBytes(long bytes) {
            return listener(serving.listener().maxBodyBytes(bytes));
        }

        /** Threads running casts and how many casts may wait for one; 8 and 10,000. */
        public Builder castExecution(int threads, int queue) {
            if (threads < 1 || queue < 1) {
                throw new IllegalArgumentException("cast threads " + threads + " and queue " + queue
                        + " must be positive");
            }
            this.castThreads = threads;
            this.castQueue = queue;
            return this;
        }

        /**
         * How long close() runs queued casts at most, when they run slower than estimated and outlast the grace
         * period; 5 min or the grace period if longer, and never shorter than it. Casts still queued then are logged
         * one by one and not run.
         */
        public Builder castDrainLimit(Duration limit) {
            if (limit == null || limit.isNegative() || limit.isZero()) {
                throw new IllegalArgumentException("cast drain limit " + limit + " must be positive");
            }
            this.castDrainLimit = limit;
            return this;
        }

        /** Binds a port, starts serving and registers. */
        public RpcServer start() {
            return new RpcServer(this);
        }
    }
}

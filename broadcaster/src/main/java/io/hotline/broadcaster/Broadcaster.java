package io.hotline.broadcaster;

import io.hotline.discovery.Directory;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStore;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Heartbeater;
import io.hotline.discovery.HotlineConfig;
import io.hotline.discovery.Zone;
import io.hotline.rpc.PemFiles;
import io.hotline.rpc.PortRange;
import io.hotline.rpc.RpcClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.server.handler.SizeLimitHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fanout service: takes a cast at {@code POST /v1/fanout/{service}} and casts it to every healthy server of that
 * service, registered in the endpoint store as {@value RpcClient#BROADCASTER_SERVICE} so that clients find it like
 * any server, nearest zone first.
 *
 * <pre>{@code
 * try (Broadcaster broadcaster = Broadcaster.builder(store)
 *         .config(HotlineConfig.load())                   // port range, host, token, TLS, zone
 *         .maxConcurrentCasts(64)                         // casts in flight at once, across all fanouts
 *         .perTargetTimeout(Duration.ofSeconds(5))
 *         .start()) {
 *     ...                                                 // clients: client.prepare(target.asFanout()).cast(...)
 * }
 * }</pre>
 *
 * <p>Targets are the service's healthy endpoints in the broadcaster's home zone unless the request names zones
 * ({@code "all"} or a list). Each gets the client's cast, with the client's token, over async HTTP; a refused
 * connection is tried once more, nothing else is, so no server gets a fanout twice. The answer is 202 with how many
 * servers were targeted, or, with {@code "report": true}, 200 with every server's outcome once all are known.
 * Closing deregisters, keeps serving for the drain delay, then lets fanouts in flight finish within the grace period.
 */
public final class Broadcaster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Broadcaster.class);

    private final Server jetty;
    private final HttpClient http;
    private final Directory directory;
    private final FanoutEngine engine;
    private final Heartbeater heartbeater;
    private final Heartbeater.Registration registration;
    private final Duration grace;
    private final Duration drainDelay;

    private Broadcaster(Builder b) {
        this.grace = b.grace;
        this.drainDelay = b.drainDelay;
        Directory.Builder d = Directory.builder(b.store);
        if (b.zone != null) {
            d.zone(b.zone);
        }
        this.directory = d.build();

        ClientConnector client = new ClientConnector();
        if (b.caFile != null || b.clientCertFile != null) {
            client.setSslContextFactory(PemFiles.clientTls(b.caFile, b.clientCertFile, b.clientKeyFile));
        }
        this.http = new HttpClient(new HttpClientTransportOverHTTP(client));
        http.setName("hotline-broadcaster-client");
        // A connection that cannot be made within the per-target timeout counts as a timeout of that target.
        http.setConnectTimeout(b.perTargetTimeout.toMillis());
        // Fanouts hit many servers a few times each; the bound on requests in flight is the engine's semaphore.
        http.setMaxConnectionsPerDestination(Math.max(4, Math.min(b.maxConcurrentCasts, 64)));
        BroadcasterMetrics metrics = new BroadcasterMetrics(b.meterRegistry != null ? b.meterRegistry
                : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        this.engine = new FanoutEngine(directory, http, b.maxConcurrentCasts, b.perTargetTimeout, b.maxPendingTargets,
                metrics);

        QueuedThreadPool threads = new QueuedThreadPool(b.maxThreads, Math.min(8, b.maxThreads));
        threads.setName("hotline-broadcaster");
        this.jetty = new Server(threads);
        HttpConfiguration config = new HttpConfiguration();
        config.setSendServerVersion(false);
        ServerConnector connector;
        if (b.certFile != null) {
            config.addCustomizer(new SecureRequestCustomizer());
            connector = new ServerConnector(jetty, PemFiles.serverTls(b.certFile, b.keyFile, b.clientCaFile),
                    new HttpConnectionFactory(config));
        } else {
            connector = new ServerConnector(jetty, new HttpConnectionFactory(config));
        }
        connector.setHost(b.host);
        connector.setIdleTimeout(b.listenTimeout.toMillis());
        b.portRange.open(connector);
        jetty.addConnector(connector);

        SizeLimitHandler limit = new SizeLimitHandler(b.maxBodyBytes, -1);
        limit.setHandler(new FanoutHandler(engine, metrics, b.token));
        GracefulHandler graceful = new GracefulHandler();
        graceful.setHandler(limit);
        jetty.setHandler(graceful);
        jetty.setErrorHandler(new JsonErrors(b.maxBodyBytes));
        jetty.setStopTimeout(b.grace.toMillis());
        try {
            http.start();
            jetty.start();
        } catch (Exception e) {
            stopQuietly();
            throw new IllegalStateException("cannot start the broadcaster: " + e, e);
        }

        Endpoint endpoint = Endpoint.builder(RpcClient.BROADCASTER_SERVICE)
                .host(b.host)
                .port(connector.getLocalPort())
                .scheme(b.certFile != null ? "https" : "http")
                .server(b.server != null ? b.server : b.host)
                .zone(b.zone != null ? b.zone : b.store.homeZone())
                .build();
        this.heartbeater = Heartbeater.start(b.store);
        this.registration = heartbeater.register(endpoint, b.healthPolicy);
        log.info("broadcasting at {} as {} in {}", endpoint.baseUri(), endpoint.id(), endpoint.zone());
    }

    /** Starts configuring a broadcaster that finds servers in, and registers in, {@code store}. */
    public static Builder builder(EndpointStore store) {
        return new Builder(store);
    }

    /** The registration clients find this broadcaster by. */
    public Endpoint endpoint() {
        return registration.endpoint();
    }

    /** The port the broadcaster listens on. */
    public int port() {
        return registration.endpoint().port();
    }

    /**
     * Deregisters, serves on for the drain delay while clients learn of it, stops taking requests (reports in
     * flight are still answered), lets fanouts in flight finish within the grace period, and stops.
     */
    @Override
    public void close() {
        registration.close();
        heartbeater.close();
        try {
            Thread.sleep(drainDelay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            jetty.stop();
        } catch (Exception e) {
            log.warn("stopping the broadcaster at port {} failed", port(), e);
        }
        int unfinished = engine.awaitActive(grace);
        if (unfinished > 0) {
            log.warn("{} fanouts were not finished within the {} grace period; their remaining casts are dropped",
                    unfinished, grace);
        }
        stopQuietly();
    }

    private void stopQuietly() {
        try {
            http.stop();
        } catch (Exception e) {
            log.warn("stopping the broadcaster's HTTP client failed", e);
        }
        try {
            jetty.stop();
        } catch (Exception e) {
            log.debug("stopping Jetty failed", e);
        }
        directory.close();
    }

    /** Errors Jetty raises before the handler answers (an oversized body, a bad request line), as JSON. */
    private static final class JsonErrors extends ErrorHandler {
        private final long maxBodyBytes;

        JsonErrors(long maxBodyBytes) {
            this.maxBodyBytes = maxBodyBytes;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            int status = response.getStatus();
            String message = status == 413
                    ? "the request body is larger than " + maxBodyBytes + " bytes"
                    : "HTTP " + status + " " + request.getAttribute(ERROR_MESSAGE);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, FanoutWire.JSON);
            response.write(true, ByteBuffer.wrap(FanoutWire.error(status == 413 || status == 400 ? "InvalidRequest"
                    : "HttpError", message)), callback);
            return true;
        }
    }

    /** Configures a {@link Broadcaster}; {@link #start()} binds, starts and registers it. */
    public static final class Builder {
        private final EndpointStore store;
        private PortRange portRange = PortRange.EPHEMERAL;
        private String host = "127.0.0.1";
        private String server;
        private String token;
        private Zone zone;
        private HealthPolicy healthPolicy = HealthPolicy.DEFAULT;
        private Duration listenTimeout = Duration.ofSeconds(60);
        private Duration grace = Duration.ofSeconds(30);
        private Duration drainDelay = Duration.ofSeconds(2);
        private Duration perTargetTimeout = Duration.ofSeconds(5);
        private int maxConcurrentCasts = 64;
        private int maxPendingTargets = 100_000;
        private long maxBodyBytes = 1 << 20;
        private int maxThreads = 200;
        private Path certFile;
        private Path keyFile;
        private Path clientCaFile;
        private Path caFile;
        private Path clientCertFile;
        private Path clientKeyFile;
        private PrometheusMeterRegistry meterRegistry;

        private Builder(EndpointStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /**
         * Reads what an RPC server and client read, as the broadcaster is both: {@code hotline.http.port-range},
         * {@code .host}, {@code .token}, {@code .listen-timeout}, {@code .drain-delay}, {@code hotline.zone}, the
         * serving TLS keys ({@code hotline.http.tls.enabled|certfile|keyfile|client-cafile}) and the calling ones
         * ({@code hotline.http.tls.cafile|client-certfile|client-keyfile}); plus
         * {@code hotline.broadcaster.max-concurrent} and {@code hotline.broadcaster.target-timeout}.
         */
        public Builder config(HotlineConfig config) {
            String range = config.string("hotline.http.port-range", "");
            try {
                portRange(PortRange.parse(range));
            } catch (IllegalArgumentException e) {
                throw config.invalid("hotline.http.port-range", "is not FIRST:LAST, e.g. 20000:20100");
            }
            config.string("hotline.http.token").filter(t -> !t.isEmpty()).ifPresent(this::token);
            config.string("hotline.http.host").filter(h -> !h.isEmpty()).ifPresent(this::host);
            listenTimeout(config.duration("hotline.http.listen-timeout", listenTimeout));
            drainDelay(config.duration("hotline.http.drain-delay", drainDelay));
            if (config.flag("hotline.http.tls.enabled", false)) {
                String cert = config.string("hotline.http.tls.certfile", "");
                String key = config.string("hotline.http.tls.keyfile", "");
                if (cert.isEmpty() || key.isEmpty()) {
                    throw config.invalid("hotline.http.tls.enabled",
                            "needs hotline.http.tls.certfile and hotline.http.tls.keyfile");
                }
                tls(Path.of(cert), Path.of(key));
                config.string("hotline.http.tls.client-cafile").filter(f -> !f.isEmpty())
                        .ifPresent(f -> requireClientCertificates(Path.of(f)));
            }
            config.string("hotline.http.tls.cafile").filter(f -> !f.isEmpty()).ifPresent(f -> trust(Path.of(f)));
            String cert = config.string("hotline.http.tls.client-certfile", "");
            String key = config.string("hotline.http.tls.client-keyfile", "");
            if (cert.isEmpty() != key.isEmpty()) {
                throw config.invalid(cert.isEmpty() ? "hotline.http.tls.client-keyfile" : "hotline.http.tls.client-certfile",
                        "needs its partner: set both hotline.http.tls.client-certfile and client-keyfile, or neither");
            }
            if (!cert.isEmpty()) {
                clientCertificate(Path.of(cert), Path.of(key));
            }
            maxConcurrentCasts(config.integer("hotline.broadcaster.max-concurrent", maxConcurrentCasts));
            perTargetTimeout(config.duration("hotline.broadcaster.target-timeout", perTargetTimeout));
            config.string(HotlineConfig.ZONE).filter(z -> !z.isEmpty()).ifPresent(z -> zone(config.zone()));
            return this;
        }

        public Builder portRange(PortRange range) {
            this.portRange = Objects.requireNonNull(range, "range");
            return this;
        }

        /** The address to listen on and to register; 127.0.0.1 unless set. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The server name to register under; the host unless set. */
        public Builder server(String server) {
            this.server = Objects.requireNonNull(server, "server");
            return this;
        }

        /**
         * Requires {@code Authorization: Bearer token} on fanout requests. The client's header is forwarded to the
         * servers, which check the same cluster-wide token.
         */
        public Builder token(String token) {
            if (token == null || token.isEmpty()) {
                throw new IllegalArgumentException("the token is empty; leave it unset to accept requests without one");
            }
            this.token = token;
            return this;
        }

        /** The zone to register in, and the home zone fanouts go to by default; the store's home zone unless set. */
        public Builder zone(Zone zone) {
            this.zone = Objects.requireNonNull(zone, "zone");
            return this;
        }

        public Builder healthPolicy(HealthPolicy policy) {
            this.healthPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Idle connections are closed after this; 60 s. */
        public Builder listenTimeout(Duration timeout) {
            this.listenTimeout = positive(timeout, "listen timeout");
            return this;
        }

        /** How long close() waits for fanouts in flight; 30 s. */
        public Builder gracePeriod(Duration grace) {
            this.grace = positive(grace, "grace period");
            return this;
        }

        /** How long close() keeps serving after deregistering, so clients stop choosing this broadcaster; 2 s. */
        public Builder drainDelay(Duration delay) {
            if (delay == null || delay.isNegative()) {
                throw new IllegalArgumentException("drain delay " + delay + " must not be negative");
            }
            this.drainDelay = delay;
            return this;
        }

        /**
         * How long one server may take to accept a cast, connecting included; 5 s. After it the server is reported
         * timed out and not tried again: it may have received the cast.
         */
        public Builder perTargetTimeout(Duration timeout) {
            this.perTargetTimeout = positive(timeout, "per-target timeout");
            return this;
        }

        /** Casts in flight at once, across all fanouts; further targets wait their turn; 64. */
        public Builder maxConcurrentCasts(int casts) {
            if (casts < 1) {
                throw new IllegalArgumentException("max concurrent casts " + casts + " must be positive");
            }
            this.maxConcurrentCasts = casts;
            return this;
        }

        /** Targets that may wait for a free slot, across all fanouts; a fanout beyond gets 503; 100,000. */
        public Builder maxPendingTargets(int targets) {
            if (targets < 1) {
                throw new IllegalArgumentException("max pending targets " + targets + " must be positive");
            }
            this.maxPendingTargets = targets;
            return this;
        }

        /** Larger request bodies get 413; 1 MiB, as an RPC server's. */
        public Builder maxBodyBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("max body size " + bytes + " must be positive");
            }
            this.maxBodyBytes = bytes;
            return this;
        }

        /** Serves HTTPS with this PEM certificate chain and unencrypted PKCS#8 PEM key. */
        public Builder tls(Path certFile, Path keyFile) {
            this.certFile = Objects.requireNonNull(certFile, "certFile");
            this.keyFile = Objects.requireNonNull(keyFile, "keyFile");
            return this;
        }

        /** With {@link #tls}: clients must present a certificate signed by a CA in this PEM file. */
        public Builder requireClientCertificates(Path caFile) {
            this.clientCaFile = Objects.requireNonNull(caFile, "caFile");
            return this;
        }

        /** Trusts servers whose certificates chain to a CA in this PEM file, instead of the JDK's default CAs. */
        public Builder trust(Path caFile) {
            this.caFile = Objects.requireNonNull(caFile, "caFile");
            return this;
        }

        /** Presents this PEM certificate and PKCS#8 key to servers that require client certificates. */
        public Builder clientCertificate(Path certFile, Path keyFile) {
            this.clientCertFile = Objects.requireNonNull(certFile, "certFile");
            this.clientKeyFile = Objects.requireNonNull(keyFile, "keyFile");
            return this;
        }

        /** Where the broadcaster's meters go and what {@code GET /metrics} scrapes; a registry of its own by default. */
        public Builder meterRegistry(PrometheusMeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** Binds a port, starts serving and registers. */
        public Broadcaster start() {
            if (clientCaFile != null && certFile == null) {
                throw new IllegalStateException("client certificates need TLS; call tls(certFile, keyFile) too");
            }
            return new Broadcaster(this);
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " " + d + " must be positive");
            }
            return d;
        }
    }
}

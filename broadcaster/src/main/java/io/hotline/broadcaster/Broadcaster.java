package io.hotline.broadcaster;

import io.hotline.discovery.Directory;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Query;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.tls.PemTls;
import io.hotline.rpc.server.ListenerSettings;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.internal.fanout.FanoutEngine;
import io.hotline.rpc.internal.security.ClientTls;
import io.hotline.rpc.internal.security.PemFiles;
import io.hotline.rpc.server.internal.security.TokenCheck;
import io.hotline.rpc.server.internal.serving.Readiness;
import io.hotline.rpc.server.internal.serving.ServedMetrics;
import io.hotline.rpc.server.internal.serving.Serving;
import io.hotline.rpc.server.internal.serving.ServingSettings;
import io.hotline.status.StatusPage;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.server.Handler;
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
 * Large fanouts are split among peer broadcasters only when they share a {@linkplain Builder#peerToken peer token}.
 * Closing deregisters, keeps serving for the drain delay, then lets fanouts in flight finish within the grace period.
 *
 * <p>{@code GET /status/} is the live {@link StatusPage} of the services this broadcaster has fanned out to, every
 * broadcaster and the {@linkplain Builder#statusServices configured} services, with this broadcaster's own fanout
 * outcomes; its JSON needs the token, like {@code /metrics}.
 */
public final class Broadcaster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Broadcaster.class);
    private static final String PEER_TOKEN_KEY = "hotline.broadcaster.peer-token";
    /** Long enough not to be guessed over the network; {@code openssl rand -hex 32} makes 64. */
    private static final int MIN_PEER_TOKEN = 16;

    private final Serving serving;
    private final HttpClient http;
    private final Directory directory;
    /** Whether {@link #directory} is this broadcaster's own, closed with it, or shared ({@link Builder#directory}). */
    private final boolean ownsDirectory;
    private final StatusPage status;
    private final FanoutEngine engine;
    private volatile String selfId;
    private final Duration grace;
    private final boolean splits;

    private Broadcaster(Builder b) {
        ServingSettings settings = b.serving;
        this.grace = settings.listener().grace();
        this.splits = b.peerToken != null;
        this.ownsDirectory = b.directory == null;
        if (ownsDirectory) {
            Directory.Builder d = Directory.builder(b.store);
            if (settings.zone() != null) {
                d.zone(settings.zone());
            }
            this.directory = d.reportInterval(settings.healthPolicy().reportInterval()).build();
        } else {
            this.directory = b.directory;
        }

        ClientConnector client = new ClientConnector();
        if (b.caFile != null || b.clientCertFile != null) {
            client.setSslContextFactory(PemFiles.clientTls(b.caFile, b.clientCertFile, b.clientKeyFile));
        }
        this.http = new HttpClient(new HttpClientTransportOverHTTP(client));
        // Fanout servers set no cookies; without a store Jetty skips matching one (and rebuilding the URI) per cast.
        http.setHttpCookieStore(new HttpCookieStore.Empty());
        http.setName("hotline-broadcaster-client");
        // A connection that cannot be made within the per-target timeout counts as a timeout of that target.
        http.setConnectTimeout(b.fanout.perTarget().toMillis());
        // The bound on requests in flight is the engine's (max-concurrent), also towards one server: a lower one of
        // Jetty's (64 by default) would queue casts inside the client, unseen, behind the engine's bound.
        http.setMaxConnectionsPerDestination(b.fanout.maxConcurrent());
        BroadcasterMetrics metrics = new BroadcasterMetrics(ServedMetrics.of(b.meterRegistry));
        // The engine reads the id only when it splits a fanout; until it is set this broadcaster is not registered,
        // so it owns no server by it and casts every fanout itself. Without a peer token it cannot split: no peer would
        // take a share.
        this.engine = new FanoutEngine(directory, http, b.fanout, metrics,
                b.peerToken == null ? null : new FanoutEngine.Split(() -> selfId, b.peerToken));

        StatusPage.Builder page = StatusPage.builder(b.store).path("/status/").services(b.statusServices)
                .directory(directory).ownMetrics(() -> metrics.scrape(null).body()).idleAfter(Duration.ofSeconds(30));
        String token = settings.token();
        if (token != null) {
            page.token(token).requireToken(token);
        }
        if (b.caFile != null || b.clientCertFile != null) {
            // Scrapes go to the same servers as casts, so over the same TLS.
            page.sslContext(PemTls.clientContext(PemTls.trustManager(b.caFile), b.clientCertFile, b.clientKeyFile));
        }
        this.status = page.build();
        try {
            http.start();
        } catch (Exception e) {
            stopClient();
            throw new IllegalStateException("cannot start the broadcaster: " + e, e);
        }
        Handler handler = new Handler.Sequence(status.handler(), new FanoutHandler(engine, metrics,
                token == null ? null : new TokenCheck(token), b.peerToken == null ? null : new TokenCheck(b.peerToken),
                settings.listener().bodyTimeout(), status::addService, this::readiness, () -> selfId));
        try {
            this.serving = Serving.start(settings, "hotline-broadcaster", handler, b.store,
                    RpcClient.BROADCASTER_SERVICE, b.server, Map.of(), endpoint -> selfId = endpoint.id());
        } catch (IllegalStateException e) {
            stopClient();
            throw new IllegalStateException("cannot start the broadcaster: " + e, e);
        } catch (RuntimeException e) {
            stopClient();
            throw e;
        }
        Endpoint endpoint = serving.endpoint();
        log.info("broadcasting at {} as {} in {}", endpoint.baseUri(), endpoint.id(), endpoint.zone());
        if (b.peerToken == null) {
            log.info("no {}: this broadcaster casts every fanout itself, however large, and takes no shares from"
                    + " peers; give every broadcaster the same peer token to split fanouts above {} servers among them",
                    PEER_TOKEN_KEY, b.fanout.splitThreshold());
        }
    }

    /** Starts configuring a broadcaster that finds servers in, and registers in, {@code store}. */
    public static Builder builder(EndpointStore store) {
        return new Builder(store);
    }

    /** The registration clients find this broadcaster by. */
    public Endpoint endpoint() {
        return serving.endpoint();
    }

    /**
     * Whether this broadcaster splits large fanouts among its peers and takes their shares: whether it has a
     * {@linkplain Builder#peerToken peer token}. A command that runs one says so, as its log may not show it.
     */
    public boolean splits() {
        return splits;
    }

    /** What {@code /readyz} answers: starting until registered, then the serving's readiness. */
    private Readiness readiness() {
        Serving s = serving;
        return s == null ? Readiness.STARTING : s.readiness();
    }

    /** The port the broadcaster listens on. */
    public int port() {
        return serving.endpoint().port();
    }

    /**
     * Deregisters, serves on for the drain delay while clients learn of it, stops taking requests (reports in
     * flight are still answered), lets fanouts in flight finish within the grace period, and stops.
     */
    @Override
    public void close() {
        serving.close();
        int unfinished = engine.awaitActive(grace);
        if (unfinished > 0) {
            log.warn("{} fanouts were not finished within the {} grace period; their remaining casts are dropped",
                    unfinished, grace);
        }
        stopClient();
    }

    private void stopClient() {
        status.close();
        try {
            http.stop();
        } catch (Exception e) {
            log.warn("stopping the broadcaster's HTTP client failed", e);
        }
        if (ownsDirectory) {
            directory.close();
        }
    }

    /** Configures a {@link Broadcaster}; {@link #start()} binds, starts and registers it. */
    public static final class Builder {
        private final EndpointStore store;
        private String server;
        private ServingSettings serving = ServingSettings.DEFAULT;
        private FanoutEngine.Settings fanout = FanoutEngine.Settings.DEFAULT;
        private String peerToken;
        private Directory directory;
        private Path caFile;
        private Path clientCertFile;
        private Path clientKeyFile;
        private MeterRegistry meterRegistry;
        private List<String> statusServices = List.of();

        private Builder(EndpointStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /**
         * Reads what an RPC server and client read, as the broadcaster is both: {@code hotline.http.port-range},
         * {@code .host}, {@code .token}, {@code .listen-timeout}, {@code .drain-delay}, {@code hotline.zone}, the
         * serving TLS keys ({@code hotline.http.tls.enabled|certfile|keyfile|client-cafile}) and the calling ones
         * ({@code hotline.http.tls.cafile|client-certfile|client-keyfile}); plus
         * {@code hotline.broadcaster.max-concurrent}, {@code .target-timeout}, {@code .split-threshold},
         * {@code .split-ways}, {@code .peer-timeout}, {@code .peer-token} and {@code .status-services}, and the health
         * policy's keys ({@link HealthPolicy#config}).
         */
        public Builder config(HotlineConfig config) {
            serving = serving.config(config);
            ClientTls tls = ClientTls.from(config);
            tls.caFile().ifPresent(this::trust);
            tls.certFile().ifPresent(cert -> clientCertificate(cert, tls.keyFile().orElseThrow()));
            fanout = fanout.config(config);
            config.string(PEER_TOKEN_KEY).filter(t -> !t.isEmpty()).ifPresent(t -> {
                try {
                    peerToken(t);
                } catch (IllegalArgumentException e) {
                    throw config.invalid(PEER_TOKEN_KEY, "is refused: " + e.getMessage());
                }
            });
            config.string("hotline.broadcaster.status-services").ifPresent(list -> {
                try {
                    statusServices(Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList());
                } catch (IllegalArgumentException e) {
                    throw config.invalid("hotline.broadcaster.status-services", "has a bad service name: " + e.getMessage());
                }
            });
            return this;
        }

        /** The server name to register under; the host unless set. */
        public Builder server(String server) {
            this.server = Objects.requireNonNull(server, "server");
            return this;
        }

        /**
         * How the broadcaster listens: port range, host, HTTPS, body limit, grace period; what
         * {@link #config(HotlineConfig)} reads into it unless set here.
         */
        public Builder listener(ListenerSettings settings) {
            serving = serving.listener(settings);
            return this;
        }

        /**
         * The host name or address to register when it is not the one listened on ({@code
         * hotline.http.advertised-host}); listening on a wildcard registers the host's routable address otherwise.
         *
         * @throws IllegalArgumentException if empty or a wildcard address
         */
        public Builder advertisedHost(String host) {
            serving = serving.advertisedHost(host);
            return this;
        }

        /**
         * Finds servers and peer broadcasters through {@code directory}, shared with other clients and servers of this
         * process, instead of a directory of its own; closing the broadcaster leaves it open. Its zone must be the
         * broadcaster's {@linkplain #zone zone}, if one is set.
         *
         * <pre>{@code
         * Directory directory = Directory.builder(store).config(config).build();
         * Broadcaster broadcaster = Broadcaster.builder(store).directory(directory).config(config).start();
         * RpcClient client = RpcClient.builder(directory).config(config).build();
         * }</pre>
         */
        public Builder directory(Directory directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * Requires {@code Authorization: Bearer token} on fanout requests. The client's header is forwarded to the
         * servers, which check the same cluster-wide token.
         */
        public Builder token(String token) {
            serving = serving.token(token);
            return this;
        }

        /**
         * The secret every broadcaster of the cluster holds, and no client: shares of a split fanout carry it (in the
         * {@value FanoutEngine#PEER_TOKEN_HEADER} header), and only requests carrying it may name their servers. Without
         * one a broadcaster neither splits nor takes shares: it casts every fanout itself. At least 16 printable ASCII
         * characters without spaces, and not the client token ({@link #token}), which every client has.
         *
         * <pre>{@code
         * builder.peerToken(System.getenv("HOTLINE_BROADCASTER_PEER_TOKEN"))   // e.g. from openssl rand -hex 32
         * }</pre>
         */
        public Builder peerToken(String token) {
            // The messages never quote it: it is a secret.
            if (token == null || token.length() < MIN_PEER_TOKEN) {
                throw new IllegalArgumentException("the peer token must be at least " + MIN_PEER_TOKEN + " characters, so that it"
                        + " cannot be guessed; make one with e.g. openssl rand -hex 32");
            }
            if (!token.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
                throw new IllegalArgumentException("the peer token must be printable ASCII without spaces, as it travels in an HTTP"
                        + " header; make one with e.g. openssl rand -hex 32");
            }
            this.peerToken = token;
            return this;
        }

        /** The zone to register in, and the home zone fanouts go to by default; the store's home zone unless set. */
        public Builder zone(Zone zone) {
            serving = serving.zone(zone);
            return this;
        }

        /** How often the registration is renewed and when the store gives up on it; {@link HealthPolicy#DEFAULT}. */
        public Builder healthPolicy(HealthPolicy policy) {
            serving = serving.healthPolicy(policy);
            return this;
        }

        /** How long close() keeps serving after deregistering, so clients stop choosing this broadcaster; 2 s. */
        public Builder drainDelay(Duration delay) {
            serving = serving.drainDelay(delay);
            return this;
        }

        /**
         * How long one server may take to accept a cast, connecting included; 5 s. After it the server is reported
         * timed out and not tried again: it may have received the cast.
         */
        public Builder perTargetTimeout(Duration timeout) {
            fanout = fanout.perTarget(timeout);
            return this;
        }

        /** Casts in flight at once, across all fanouts; further targets wait their turn; 64. */
        public Builder maxConcurrentCasts(int casts) {
            fanout = fanout.maxConcurrent(casts);
            return this;
        }

        /** Targets that may wait for a free slot, across all fanouts; a fanout beyond gets 503; 100,000. */
        public Builder maxPendingTargets(int targets) {
            fanout = fanout.maxPending(targets);
            return this;
        }

        /**
         * Above this many servers a fanout is split among the broadcasters of this zone (of every zone when this one
         * has no other): each casts the servers it owns (rendezvous hashing of the ids) and reports back; shares are
         * split on by ownership whatever their size, as the threshold decides only here. 500.
         */
        public Builder splitThreshold(int targets) {
            fanout = fanout.splitThreshold(targets);
            return this;
        }

        /**
         * How many shares one split hands out, at most, each to the first of a group of the other broadcasters, which
         * splits it again among its group; 4.
         */
        public Builder splitWays(int peers) {
            fanout = fanout.splitWays(peers);
            return this;
        }

        /**
         * How long a peer may take to report on its share; 60 s. After it, the share's servers are reported as errors
         * (the peer may have cast to them), not cast again.
         */
        public Builder peerTimeout(Duration timeout) {
            fanout = fanout.peerTimeout(timeout);
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

        /**
         * Where the broadcaster's meters go besides {@code GET /metrics}: any Micrometer registry (OTLP, a composite,
         * ...).
         * A Prometheus registry is also what {@code /metrics} scrapes; any other gets the meters while a Prometheus
         * registry of the broadcaster's own serves {@code /metrics}, which is all there is by default.
         *
         * <pre>{@code
         * MeterRegistry registry = new OtlpMeterRegistry(otlpConfig, Clock.SYSTEM);
         * Broadcaster.builder(store).meterRegistry(registry).config(config).start();
         * }</pre>
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Services the status page at {@code GET /status/} shows besides every broadcaster and those this broadcaster
         * has fanned out to, e.g. {@code nova.scheduler}; what {@code hotline.broadcaster.status-services} (a comma
         * separated list) sets.
         */
        public Builder statusServices(List<String> services) {
            services.forEach(Query::of);
            this.statusServices = List.copyOf(services);
            return this;
        }

        /** Binds a port, starts serving and registers. */
        public Broadcaster start() {
            if (peerToken != null && peerToken.equals(serving.token())) {
                throw new IllegalArgumentException(PEER_TOKEN_KEY + " must differ from hotline.http.token: every"
                        + " client has the client token, so with it any client could hand out shares");
            }
            if (directory != null && serving.zone() != null && !serving.zone().equals(directory.zone())) {
                throw new IllegalArgumentException("the broadcaster's zone " + serving.zone() + " is not its shared"
                        + " directory's zone " + directory.zone() + "; build the directory with the same zone");
            }
            return new Broadcaster(this);
        }
    }
}

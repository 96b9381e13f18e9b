package io.hotline.rpc;

import io.hotline.discovery.HotlineConfig;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.server.handler.SizeLimitHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side every Hotline process that listens shares (the RPC server, the broadcaster): a port from the
 * {@code port_range}, HTTPS from PEM files or HTTP/1.1 with h2c, a request body limit, Jetty's own errors as JSON, and
 * a graceful stop within a grace period.
 *
 * <pre>{@code
 * HttpListener.Settings settings = HttpListener.Settings.DEFAULT.config(HotlineConfig.load());
 * try (HttpListener listener = HttpListener.start(settings, "my-service", myHandler)) {
 *     register(listener.scheme(), settings.host(), listener.port());
 * }
 * }</pre>
 */
public final class HttpListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HttpListener.class);

    private final Server jetty;
    private final ServerConnector connector;
    private final Settings settings;

    private HttpListener(Server jetty, ServerConnector connector, Settings settings) {
        this.jetty = jetty;
        this.connector = connector;
        this.settings = settings;
    }

    /**
     * Binds a port and starts serving {@code handler} behind the body limit and the graceful-stop handler.
     *
     * @param name names the request threads, e.g. {@code hotline-rpc}
     * @throws IllegalStateException if no port of the range is free or Jetty cannot start
     */
    public static HttpListener start(Settings settings, String name, Handler handler) {
        if (settings.clientCaFile != null && !settings.isTls()) {
            throw new IllegalStateException("client certificates need TLS; call tls(certFile, keyFile) too");
        }
        QueuedThreadPool threads = new QueuedThreadPool(settings.maxThreads, Math.min(8, settings.maxThreads));
        threads.setName(name);
        Server jetty = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector;
        if (settings.isTls()) {
            http.addCustomizer(new SecureRequestCustomizer());
            connector = new ServerConnector(jetty,
                    PemFiles.serverTls(settings.certFile, settings.keyFile, settings.clientCaFile),
                    new HttpConnectionFactory(http));
        } else {
            // h2c beside HTTP/1.1: clients that know the server speaks HTTP/2 (or upgrade) multiplex requests.
            connector = new ServerConnector(jetty, new HttpConnectionFactory(http),
                    new HTTP2CServerConnectionFactory(http));
        }
        connector.setHost(settings.host);
        connector.setIdleTimeout(settings.listenTimeout.toMillis());
        bind(connector, settings.portRange, settings.host);
        jetty.addConnector(connector);

        SizeLimitHandler limit = new SizeLimitHandler(settings.maxBodyBytes, -1);
        limit.setHandler(handler);
        GracefulHandler graceful = new GracefulHandler();
        graceful.setHandler(limit);
        jetty.setHandler(graceful);
        jetty.setErrorHandler(new JsonErrorHandler(settings.maxBodyBytes, settings.bodyTimeout));
        jetty.setStopTimeout(settings.grace.toMillis());
        try {
            jetty.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start " + name + " on " + settings.host + ": " + e, e);
        }
        return new HttpListener(jetty, connector, settings);
    }

    /** The port listened on. */
    public int port() {
        return connector.getLocalPort();
    }

    /** {@code https} or {@code http}, as the endpoint is registered. */
    public String scheme() {
        return settings.isTls() ? "https" : "http";
    }

    /** Stops taking requests and lets those in flight finish within the grace period. */
    @Override
    public void close() {
        try {
            jetty.stop();
        } catch (Exception e) {
            log.warn("stopping the listener at {}:{} failed", settings.host, port(), e);
        }
    }

    private static void bind(ServerConnector connector, PortRange range, String host) {
        if (range.isEphemeral()) {
            try {
                connector.setPort(0);
                connector.open();
            } catch (IOException e) {
                throw new IllegalStateException("cannot listen on " + host + ": " + e.getMessage(), e);
            }
            return;
        }
        for (int port = range.first(); port <= range.last(); port++) {
            try {
                connector.setPort(port);
                connector.open();
                return;
            } catch (IOException e) {
                // Jetty wraps the BindException of a taken port.
                if (!(e instanceof BindException) && !(e.getCause() instanceof BindException)) {
                    throw new IllegalStateException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
                }
                log.debug("port {} is taken; trying the next", port);
            }
        }
        throw new IllegalStateException("no free port in hotline.http.port-range " + range + " on " + host + " (all "
                + range.size() + " are in use); widen the range or stop some servers");
    }

    /**
     * How a listener listens. Immutable; start from {@link #DEFAULT}.
     *
     * @param portRange ports to try in order; ephemeral by default
     * @param host the address to listen on and register; 127.0.0.1 by default
     * @param certFile PEM certificate chain for HTTPS, or null for plain HTTP
     * @param keyFile unencrypted PKCS#8 PEM key for HTTPS, or null
     * @param clientCaFile with HTTPS: clients must present a certificate from a CA in this PEM file; or null
     * @param listenTimeout idle connections are closed after this (the proposal's listen_timeout); 60 s
     * @param bodyTimeout a request body not whole this long after the request began gets 408; 10 s
     * @param grace how long a stop waits for requests in flight; 30 s
     * @param maxBodyBytes larger request bodies get 413; 1 MiB
     * @param maxThreads request threads at most; 200
     */
    public record Settings(PortRange portRange, String host, Path certFile, Path keyFile, Path clientCaFile,
            Duration listenTimeout, Duration bodyTimeout, Duration grace, long maxBodyBytes, int maxThreads) {

        public static final Settings DEFAULT = new Settings(PortRange.EPHEMERAL, "127.0.0.1", null, null, null,
                Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(30), 1 << 20, 200);

        public Settings {
            Objects.requireNonNull(portRange, "portRange");
            Objects.requireNonNull(host, "host");
            if ((certFile == null) != (keyFile == null)) {
                throw new IllegalArgumentException("HTTPS needs both a certificate file and a key file");
            }
            positive(listenTimeout, "listen timeout");
            positive(bodyTimeout, "body timeout");
            positive(grace, "grace period");
            if (maxBodyBytes < 1 || maxThreads < 1) {
                throw new IllegalArgumentException("max body size " + maxBodyBytes + " and max threads " + maxThreads
                        + " must be positive");
            }
        }

        public boolean isTls() {
            return certFile != null;
        }

        public Settings portRange(PortRange range) {
            return new Settings(range, host, certFile, keyFile, clientCaFile, listenTimeout, bodyTimeout, grace,
                    maxBodyBytes, maxThreads);
        }

        public Settings host(String host) {
            return new Settings(portRange, host, certFile, keyFile, clientCaFile, listenTimeout, bodyTimeout, grace,
                    maxBodyBytes, maxThreads);
        }

        public Settings tls(Path certFile, Path keyFile) {
            return new Settings(portRange, host, Objects.requireNonNull(certFile, "certFile"),
                    Objects.requireNonNull(keyFile, "keyFile"), clientCaFile, listenTimeout, bodyTimeout, grace,
                    maxBodyBytes, maxThreads);
        }

        public Settings requireClientCertificates(Path caFile) {
            return new Settings(portRange, host, certFile, keyFile, Objects.requireNonNull(caFile, "caFile"),
                    listenTimeout, bodyTimeout, grace, maxBodyBytes, maxThreads);
        }

        public Settings listenTimeout(Duration timeout) {
            return new Settings(portRange, host, certFile, keyFile, clientCaFile, timeout, bodyTimeout, grace,
                    maxBodyBytes, maxThreads);
        }

        public Settings bodyTimeout(Duration timeout) {
            return new Settings(portRange, host, certFile, keyFile, clientCaFile, listenTimeout, timeout, grace,
                    maxBodyBytes, maxThreads);
        }

        public Settings grace(Duration grace) {
            return new Settings(portRange, host, certFile, keyFile, clientCaFile, listenTimeout, bodyTimeout, grace,
                    maxBodyBytes, maxThreads);
        }

        public Settings maxBodyBytes(long bytes) {
            return new Settings(portRange, host, certFile, keyFile, clientCaFile, listenTimeout, bodyTimeout, grace,
                    bytes, maxThreads);
        }

        public Settings maxThreads(int threads) {
            return new Settings(portRange, host, certFile, keyFile, clientCaFile, listenTimeout, bodyTimeout, grace,
                    maxBodyBytes, threads);
        }

        /**
         * These settings with {@code hotline.http.port-range}, {@code .host}, {@code .listen-timeout},
         * {@code .grace-period}, {@code .body-timeout} and {@code .tls.enabled|certfile|keyfile|client-cafile} from
         * {@code config} (the proposal's {@code port_range}, {@code listen_timeout}, {@code enable_ssl},
         * {@code ssl_certfile}, {@code ssl_keyfile}).
         */
        public Settings config(HotlineConfig config) {
            Settings s = this;
            try {
                s = s.portRange(PortRange.parse(config.string("hotline.http.port-range", "")));
            } catch (IllegalArgumentException e) {
                throw config.invalid("hotline.http.port-range", "is not FIRST:LAST, e.g. 20000:20100");
            }
            String configuredHost = config.string("hotline.http.host", "");
            if (!configuredHost.isEmpty()) {
                s = s.host(configuredHost);
            }
            s = s.listenTimeout(config.duration("hotline.http.listen-timeout", listenTimeout));
            Duration configuredGrace = config.duration("hotline.http.grace-period", grace);
            if (configuredGrace.isZero()) {
                throw config.invalid("hotline.http.grace-period", "must be positive: a stop needs time to finish what"
                        + " it accepted; write e.g. 30s");
            }
            s = s.grace(configuredGrace);
            s = s.bodyTimeout(config.duration("hotline.http.body-timeout", bodyTimeout));
            if (config.flag("hotline.http.tls.enabled", false)) {
                String cert = config.string("hotline.http.tls.certfile", "");
                String key = config.string("hotline.http.tls.keyfile", "");
                if (cert.isEmpty() || key.isEmpty()) {
                    throw config.invalid("hotline.http.tls.enabled", "needs hotline.http.tls.certfile and"
                            + " hotline.http.tls.keyfile ([http_driver] ssl_certfile and ssl_keyfile)");
                }
                s = s.tls(Path.of(cert), Path.of(key));
                String clientCa = config.string("hotline.http.tls.client-cafile", "");
                if (!clientCa.isEmpty()) {
                    s = s.requireClientCertificates(Path.of(clientCa));
                }
            }
            return s;
        }

        private static void positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " " + d + " must be positive");
            }
        }
    }
}

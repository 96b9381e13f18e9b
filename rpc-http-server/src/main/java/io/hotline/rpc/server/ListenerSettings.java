package io.hotline.rpc.server;

import io.hotline.discovery.config.HotlineConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How a Hotline process listens for HTTP (the RPC server, the broadcaster, the status page): the port range, the
 * address, TLS, and the limits every request meets. Immutable; start from {@link #DEFAULT}.
 *
 * <pre>{@code
 * ListenerSettings settings = ListenerSettings.DEFAULT.config(HotlineConfig.load())
 *         .portRange(new PortRange(20000, 20100));
 * RpcServer server = RpcServer.builder(store).listener(settings).target(target).endpoint(api).start();
 * Broadcaster broadcaster = Broadcaster.builder(store).listener(settings).start();   // the same settings
 * }</pre>
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
 * @param h2c whether a plain-HTTP listener also speaks HTTP/2 with prior knowledge (h2c) on its port; true. TLS
 *     listeners speak HTTP/1.1 only
 */
public record ListenerSettings(PortRange portRange, String host, Path certFile, Path keyFile, Path clientCaFile,
        Duration listenTimeout, Duration bodyTimeout, Duration grace, long maxBodyBytes, int maxThreads,
        boolean h2c) {

    /** The config key of {@link #h2c(boolean)}: {@code true} (the default) or {@code false}, as every flag. */
    public static final String H2C = "hotline.http.h2c";

    public static final ListenerSettings DEFAULT = new ListenerSettings(PortRange.EPHEMERAL, "127.0.0.1", null, null, null,
            Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(30), 1 << 20, 200, true);

    public ListenerSettings {
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

    public ListenerSettings portRange(PortRange range) {
        return new ListenerSettings(range, host, certFile, keyFile, clientCaFile, listenTimeout, bodyTimeout, grace,
                maxBodyBytes, maxThreads, h2c);
    }

    public ListenerSettings host(String host) {
        return new ListenerSettings(portRange, host, certFile, keyFile, clientCaFile, listenTimeout, bodyTimeout, grace,
                maxBodyBytes, maxThreads, h2c);
    }

    public ListenerSettings tls(Path certFile, Path keyFile) {
        return new ListenerSettings(portRange, host, Objects.requireNonNull(certFile, "certFile"),
                Objects.requireNonNull(keyFile, "keyFile"), clientCaFile, listenTimeout, bodyTimeout, grace,
                maxBodyBytes, maxThreads, h2c);
    }

    public ListenerSettings requireClientCertificates(Path caFile) {
        return new ListenerSettings(portRange, host, certFile, keyFile, Objects.requireNonNull(caFile, "caFile"),
                listenTimeout, bodyTimeout, grace, maxBodyBytes, maxThreads, h2c);
    }

    public ListenerSettings listenTimeout(Duration timeout) {
        return new ListenerSettings(portRange, host, certFile, keyFile, clientCaFile, timeout, bodyTimeout, grace,
                maxBodyBytes, maxThreads, h2c);
    }

    public ListenerSettings bodyTimeout(Duration timeout) {
        return new ListenerSettings(portRange, host, certFile, keyFile, clientCaFile, listenTimeout, timeout, grace,
                maxBodyBytes, maxThreads, h2c);
    }

    public ListenerSettings grace(Duration grace) {
        return new ListenerSettings(portRange, host, certFile, keyFile, clientCaFile, listenTimeout, bodyTimeout, grace,
                maxBodyBytes, maxThreads, h2c);
    }

    public ListenerSettings maxBodyBytes(long bytes) {
        return new ListenerSettings(portRange, host, certFile, keyFile, clientCaFile, listenTimeout, bodyTimeout, grace,
                bytes, maxThreads, h2c);
    }

    public ListenerSettings maxThreads(int threads) {
        return new ListenerSettings(portRange, host, certFile, keyFile, clientCaFile, listenTimeout, bodyTimeout, grace,
                maxBodyBytes, threads, h2c);
    }

    /**
     * Whether a plain-HTTP listener also accepts HTTP/2 with prior knowledge (h2c) on the same port, for clients with
     * {@code hotline.http.transport=h2c}; on by default. Off, such a client's connection is refused with an HTTP/1.1
     * 400 and the client reports it. Ignored with TLS: h2 over TLS needs ALPN, which Hotline does not offer. Config key
     * {@value #H2C}.
     *
     * <pre>{@code
     * ListenerSettings settings = ListenerSettings.DEFAULT.h2c(false);   // HTTP/1.1 only
     * }</pre>
     */
    public ListenerSettings h2c(boolean enabled) {
        return new ListenerSettings(portRange, host, certFile, keyFile, clientCaFile, listenTimeout, bodyTimeout, grace,
                maxBodyBytes, maxThreads, enabled);
    }

    /**
     * These settings with {@code hotline.http.port-range}, {@code .host}, {@code .listen-timeout},
     * {@code .grace-period}, {@code .body-timeout}, {@value #H2C} and {@code .tls.enabled|certfile|keyfile|client-cafile} from
     * {@code config} (the proposal's {@code port_range}, {@code listen_timeout}, {@code enable_ssl},
     * {@code ssl_certfile}, {@code ssl_keyfile}).
     */
    public ListenerSettings config(HotlineConfig config) {
        ListenerSettings s = this;
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
        s = s.h2c(config.flag(H2C, h2c));
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

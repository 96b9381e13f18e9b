package io.hotline.rpc.server.internal.http;

import io.hotline.rpc.server.ListenerSettings;
import io.hotline.rpc.server.PortRange;
import io.hotline.rpc.internal.security.PemFiles;
import java.io.IOException;
import java.net.BindException;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.server.handler.SizeLimitHandler;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side every Hotline process that listens shares (the RPC server, the broadcaster): a port from the
 * {@code port_range}, HTTPS (HTTP/1.1) from PEM files or HTTP/1.1 with h2c (unless turned off), a request body limit,
 * Jetty's own errors as JSON, and a graceful stop within a grace period.
 *
 * <pre>{@code
 * ListenerSettings settings = ListenerSettings.DEFAULT.config(HotlineConfig.load());
 * try (HttpListener listener = HttpListener.start(settings, "my-service", myHandler)) {
 *     register(listener.scheme(), settings.host(), listener.port());
 * }
 * }</pre>
 */
public final class HttpListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HttpListener.class);

    /** Calls one h2c connection carries at once, as Jetty's own default; more than a client's usual calls in flight. */
    static final int MAX_STREAMS_PER_CONNECTION = 128;

    private final Server jetty;
    private final ServerConnector connector;
    private final ListenerSettings settings;

    private HttpListener(Server jetty, ServerConnector connector, ListenerSettings settings) {
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
    public static HttpListener start(ListenerSettings settings, String name, Handler handler) {
        if (settings.clientCaFile() != null && !settings.isTls()) {
            throw new IllegalStateException("client certificates need TLS; call tls(certFile, keyFile) too");
        }
        QueuedThreadPool threads = new QueuedThreadPool(settings.maxThreads(), Math.min(8, settings.maxThreads()));
        threads.setName(name);
        Server jetty = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector;
        if (settings.isTls()) {
            http.addCustomizer(new SecureRequestCustomizer());
            connector = new ServerConnector(jetty,
                    PemFiles.serverTls(settings.certFile(), settings.keyFile(), settings.clientCaFile()),
                    http1(http, handler));
        } else if (settings.h2c()) {
            // h2c beside HTTP/1.1: HTTP/1.1's factory hands a connection that opens with the HTTP/2 preface (prior
            // knowledge) to the h2c one, so clients with hotline.http.transport=h2c multiplex on the same port.
            connector = new ServerConnector(jetty, http1(http, handler), h2c(http));
        } else {
            connector = new ServerConnector(jetty, http1(http, handler));
        }
        connector.setHost(settings.host());
        connector.setIdleTimeout(settings.listenTimeout().toMillis());
        bind(connector, settings.portRange(), settings.host());
        jetty.addConnector(connector);

        SizeLimitHandler limit = new SizeLimitHandler(settings.maxBodyBytes(), -1);
        limit.setHandler(handler);
        Http2BodyLimit h2Limit = new Http2BodyLimit(settings.maxBodyBytes(), settings.bodyTimeout());
        h2Limit.setHandler(limit);
        GracefulHandler graceful = new GracefulHandler();
        graceful.setHandler(h2Limit);
        jetty.setHandler(graceful);
        jetty.setErrorHandler(new JsonErrorHandler(settings.maxBodyBytes(), settings.bodyTimeout()));
        jetty.setStopTimeout(settings.grace().toMillis());
        try {
            jetty.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start " + name + " on " + settings.host() + ": " + e, e);
        }
        return new HttpListener(jetty, connector, settings);
    }

    /**
     * HTTP/1.1 connections: for a handler declared non-blocking, which hands what may block to the pool itself, each
     * read as its last request needed ({@link AdaptiveHttpConnectionFactory}); else as Jetty reads them.
     */
    private static HttpConnectionFactory http1(HttpConfiguration http, Handler handler) {
        return handler.getInvocationType() == Invocable.InvocationType.NON_BLOCKING
                ? new AdaptiveHttpConnectionFactory(http) : new HttpConnectionFactory(http);
    }

    /**
     * HTTP/2 with HTTP/1.1's limits: the same configuration (request header size), the connector's idle timeout for
     * connections and streams, and the body limit and body timeout, which are the handlers' and so the same for both.
     * Streams per connection are bounded so that one client cannot hold more calls than
     * {@value #MAX_STREAMS_PER_CONNECTION} on one connection; a client opens another connection beyond. Jetty's rate
     * control (resets, pings, settings and empty frames a second) stays on. A stream of a blocking handler (the
     * broadcaster's) runs on a pool thread; the RPC handler, non-blocking, hands what may block to the pool itself, so
     * either way a call that blocks cannot stall the connection's other streams.
     */
    private static HTTP2CServerConnectionFactory h2c(HttpConfiguration http) {
        HTTP2CServerConnectionFactory h2c = new HTTP2CServerConnectionFactory(http);
        h2c.setMaxConcurrentStreams(MAX_STREAMS_PER_CONNECTION);
        return h2c;
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
            log.warn("stopping the listener at {}:{} failed", settings.host(), port(), e);
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
}

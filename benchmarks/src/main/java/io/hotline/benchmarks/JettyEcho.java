package io.hotline.benchmarks;

import io.hotline.testing.FreePorts;
import io.hotline.testing.ReadinessCheck;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * The HTTP floor: a bare Jetty 12 handler that echoes the JSON body, in a JVM of its own, called with Jetty's
 * {@link HttpClient}, the client Hotline uses. No routing, no JAX-RS, no envelope: what is left of Hotline's cost is
 * HTTP itself.
 *
 * <p>Over HTTP/1.1 (a connection per request in flight, as Hotline's client does) or over h2c with prior knowledge
 * (every request multiplexed on one connection, as gRPC does), so the report shows what each protocol costs here. And
 * with a non-blocking handler (the cheapest an HTTP echo gets) or a blocking one, which reads the body with a blocking
 * stream as a handler that may block must, and which Jetty therefore runs where it may block: the floor of an HTTP
 * server whose methods may block, as Hotline's endpoints may unless declared {@code @NonBlocking}.
 */
final class JettyEcho implements Contender {

    private static final int MAX_BODY = 1 << 20;

    private final EchoServerJvm server;
    private final HttpClient http;
    private final String uri;
    private final Duration requestTimeout;
    private final boolean h2c;
    private final boolean blocking;

    JettyEcho(Duration requestTimeout, boolean h2c, boolean blocking, List<String> serverJavaOptions) {
        this.requestTimeout = requestTimeout;
        this.h2c = h2c;
        this.blocking = blocking;
        int port = FreePorts.tcp();
        server = EchoServerJvm.start(name(), serverJavaOptions, ReadinessCheck.tcp(port),
                dir -> List.of("jetty", String.valueOf(port), String.valueOf(h2c), String.valueOf(blocking)));
        http = h2c ? new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client())) : new HttpClient();
        http.setConnectTimeout(requestTimeout.toMillis());
        try {
            http.start();
        } catch (Exception e) {
            close();
            throw new IllegalStateException("cannot start the Jetty client: " + e, e);
        }
        uri = "http://127.0.0.1:" + port + "/echo";
    }

    /** The server's side, run by {@link EchoServerJvm}: the echo handler on {@code port}. */
    static AutoCloseable serve(int port, boolean h2c, boolean blocking) throws Exception {
        Server server = new Server();
        HttpConfiguration config = new HttpConfiguration();
        config.setSendServerVersion(false);
        ServerConnector connector = h2c
                ? new ServerConnector(server, new HTTP2CServerConnectionFactory(config))
                : new ServerConnector(server, new HttpConnectionFactory(config));
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(blocking ? new BlockingEchoHandler() : new EchoHandler());
        server.start();
        return server::stop;
    }

    @Override
    public String name() {
        return "bare Jetty " + Server.getVersion() + (h2c ? ", h2c" : "") + (blocking ? ", blocking handler" : "");
    }

    @Override
    public long serverPid() {
        return server.pid();
    }

    @Override
    public CompletableFuture<?> call() {
        var request = http.newRequest(uri)
                .method(HttpMethod.POST)
                .body(new BytesRequestContent("application/json", Payload.encode(Payload.ARGS)))
                .timeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        return new CompletableResponseListener(request, MAX_BODY).send().thenApply(response -> {
            if (response.getStatus() != 200) {
                throw new IllegalStateException("the Jetty echo server answered " + response.getStatus());
            }
            return Payload.decode(response.getContent());
        });
    }

    @Override
    public void close() {
        try {
            stop(http);
        } finally {
            server.close();
        }
    }

    private static void stop(LifeCycle component) {
        try {
            component.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop " + component + ": " + e, e);
        }
    }

    /**
     * Reads the body without blocking and writes the echo back. Declared non-blocking, so that Jetty may run it on
     * the thread that read the request instead of handing it to another: the cheapest an HTTP echo gets.
     */
    private static final class EchoHandler extends Handler.Abstract.NonBlocking {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            Content.Source.asByteBuffer(request, new Promise<>() {
                @Override
                public void succeeded(ByteBuffer body) {
                    byte[] reply;
                    try {
                        reply = Payload.echo(BufferUtil.toArray(body));
                    } catch (RuntimeException e) {
                        Response.writeError(request, response, callback, 400, e.getMessage());
                        return;
                    }
                    response.setStatus(200);
                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                    response.write(true, ByteBuffer.wrap(reply), callback);
                }

                @Override
                public void failed(Throwable failure) {
                    Response.writeError(request, response, callback, failure);
                }
            });
            return true;
        }
    }

    /**
     * Reads the body through a blocking stream and writes the echo back: a handler that may block, which Jetty
     * declares {@code BLOCKING} by default and so never runs on a thread that must not block.
     */
    private static final class BlockingEchoHandler extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws IOException {
            byte[] reply;
            try (InputStream body = Content.Source.asInputStream(request)) {
                reply = Payload.echo(body.readAllBytes());
            } catch (RuntimeException e) {
                Response.writeError(request, response, callback, 400, e.getMessage());
                return true;
            }
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.write(true, ByteBuffer.wrap(reply), callback);
            return true;
        }
    }
}

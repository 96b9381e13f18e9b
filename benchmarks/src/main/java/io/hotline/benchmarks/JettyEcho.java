package io.hotline.benchmarks;

import io.hotline.testing.FreePorts;
import io.hotline.testing.ReadinessCheck;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
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
 * server whose methods may block, as Hotline's endpoints may unless declared {@code @NonBlocking}. Or, the floor of a
 * cast whose method may block, with a handler that decodes the body, answers 202 and hands the work to a pool thread
 * (a {@link ThreadPoolExecutor} of {@value #HAND_OFF_THREADS}, as Hotline's cast threads), where it is counted. Or,
 * the floor of a server of Hotline's wire protocol whose methods may block: the blocking handler doing the oslo
 * envelope on both sides ({@link OsloEnvelope}).
 */
final class JettyEcho implements Contender {

    private static final int MAX_BODY = 1 << 20;
    private static final int HAND_OFF_THREADS = 8;

    /** What the server's handler does with a request. */
    enum Handling {
        /** Reads the body without blocking and echoes it, on the thread that read it. */
        NON_BLOCKING,
        /** Reads the body through a blocking stream and echoes it, where Jetty lets a handler block. */
        BLOCKING,
        /** As {@link #BLOCKING}, with the oslo envelope around the arguments and the result ({@link OsloEnvelope}). */
        BLOCKING_OSLO,
        /** Reads and decodes the body without blocking, answers 202, and hands the work to a pool thread. */
        HAND_OFF
    }

    private final EchoServerJvm server;
    private final HttpClient http;
    private final String uri;
    private final Duration requestTimeout;
    private final boolean h2c;
    private final Handling handling;

    JettyEcho(Duration requestTimeout, boolean h2c, Handling handling, List<String> serverJavaOptions) {
        this.requestTimeout = requestTimeout;
        this.h2c = h2c;
        this.handling = handling;
        int port = FreePorts.tcp();
        server = EchoServerJvm.start(name(), serverJavaOptions, ReadinessCheck.tcp(port),
                dir -> List.of("jetty", String.valueOf(port), String.valueOf(h2c), handling.name()));
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
    static AutoCloseable serve(int port, boolean h2c, Handling handling) throws Exception {
        Server server = new Server();
        HttpConfiguration config = new HttpConfiguration();
        config.setSendServerVersion(false);
        ServerConnector connector = h2c
                ? new ServerConnector(server, new HTTP2CServerConnectionFactory(config))
                : new ServerConnector(server, new HttpConnectionFactory(config));
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(switch (handling) {
            case NON_BLOCKING -> new EchoHandler();
            case BLOCKING -> new BlockingHandler(Payload::echo);
            case BLOCKING_OSLO -> new BlockingHandler(OsloEnvelope::serve);
            case HAND_OFF -> new HandOffHandler();
        });
        server.start();
        return server::stop;
    }

    @Override
    public String name() {
        return "bare Jetty " + Server.getVersion() + (h2c ? ", h2c" : "") + switch (handling) {
            case NON_BLOCKING -> "";
            case BLOCKING -> ", blocking handler";
            case BLOCKING_OSLO -> ", blocking handler, oslo envelope";
            case HAND_OFF -> ", 202 and hand-off";
        };
    }

    @Override
    public long serverPid() {
        return server.pid();
    }

    @Override
    public CompletableFuture<?> call() {
        var request = http.newRequest(uri)
                .method(HttpMethod.POST)
                .body(new BytesRequestContent("application/json", handling == Handling.BLOCKING_OSLO
                        ? OsloEnvelope.request(Payload.ARGS) : Payload.encode(Payload.ARGS)))
                .timeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        return new CompletableResponseListener(request, MAX_BODY).send().thenApply(response -> {
            int expected = handling == Handling.HAND_OFF ? 202 : 200;
            if (response.getStatus() != expected) {
                throw new IllegalStateException("the Jetty echo server answered " + response.getStatus());
            }
            return handling == Handling.BLOCKING_OSLO ? OsloEnvelope.result(response.getContent())
                    : Payload.decode(response.getContent());
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
     * A handler declared non-blocking, so that Jetty may run it on the thread that read the request instead of handing
     * it to another: reads the whole body without blocking, then {@link #answer}s; a body that is not JSON gets 400.
     */
    private abstract static class WholeBodyHandler extends Handler.Abstract.NonBlocking {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            Content.Source.asByteBuffer(request, new Promise<>() {
                @Override
                public void succeeded(ByteBuffer body) {
                    try {
                        answer(BufferUtil.toArray(body), response, callback);
                    } catch (RuntimeException e) {
                        Response.writeError(request, response, callback, 400, e.getMessage());
                    }
                }

                @Override
                public void failed(Throwable failure) {
                    Response.writeError(request, response, callback, failure);
                }
            });
            return true;
        }

        /** Checks {@code body} (a RuntimeException, before anything is written, for a 400) and writes the answer. */
        abstract void answer(byte[] body, Response response, Callback callback);
    }

    /** Writes the echo back: the cheapest an HTTP echo gets. */
    private static final class EchoHandler extends WholeBodyHandler {
        @Override
        void answer(byte[] body, Response response, Callback callback) {
            byte[] reply = Payload.echo(body);
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.write(true, ByteBuffer.wrap(reply), callback);
        }
    }

    /**
     * Reads the body through a blocking stream and writes {@code answer}'s reply: a handler that may block, which Jetty
     * declares {@code BLOCKING} by default and so never runs on a thread that must not block.
     */
    private static final class BlockingHandler extends Handler.Abstract {
        private final UnaryOperator<byte[]> answer;

        /** @param answer the reply to a body; a RuntimeException for one it cannot answer, which gets 400 */
        BlockingHandler(UnaryOperator<byte[]> answer) {
            this.answer = answer;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws IOException {
            byte[] reply;
            try (InputStream body = Content.Source.asInputStream(request)) {
                reply = answer.apply(body.readAllBytes());
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

    /**
     * What any server accepting casts whose methods may block does at the least: decodes the body (a cast is checked
     * before it is accepted), answers 202, and hands the work to a pool thread of its own, here only counting it.
     * Hotline's casts pay the same hand-off, and, like this, after the answer was written.
     */
    private static final class HandOffHandler extends WholeBodyHandler {
        private static final byte[] ACCEPTED = "{}".getBytes(StandardCharsets.UTF_8);
        private final ThreadPoolExecutor pool = new ThreadPoolExecutor(HAND_OFF_THREADS, HAND_OFF_THREADS, 60,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        private final AtomicLong handled = new AtomicLong();

        @Override
        void answer(byte[] body, Response response, Callback callback) {
            Payload.decode(body);
            response.setStatus(202);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.write(true, ByteBuffer.wrap(ACCEPTED), callback);
            // Counted, as the benchmark's Hotline endpoint counts the casts it ran.
            pool.execute(handled::incrementAndGet);
        }

        @Override
        protected void doStop() throws Exception {
            pool.shutdown();
            super.doStop();
        }
    }
}

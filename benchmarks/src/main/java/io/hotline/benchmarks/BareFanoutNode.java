package io.hotline.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hotline.discovery.Endpoint;
import io.hotline.rpc.internal.tracing.TraceHeaders;
import io.hotline.rpc.internal.wire.JsonPost;
import io.hotline.rpc.internal.wire.Wire;
import io.hotline.testing.FreePorts;
import io.hotline.testing.ReadinessCheck;
import io.hotline.testing.ServerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * The floor of a broadcaster's fanout in the fanout comparison: Jetty's {@link HttpClient}, set up and used as the
 * broadcaster's (no cookie store, each request built by {@link JsonPost}), posting one body to every target, at most
 * {@value #IN_FLIGHT} at a time as the broadcaster's default; and nothing else: no directory, no split, no retry, no
 * report. In a JVM of its own, as the broadcasters are, so that its CPU is read from /proc:
 * {@code BareFanoutNode <port> <file of target base URIs, one per line> <request path>}. A POST to it carries the
 * cast's body; it answers 202 once the casts are started, as a broadcaster does. Runs until killed.
 */
public final class BareFanoutNode {

    private static final int IN_FLIGHT = 64;
    private static final long TIMEOUT_MILLIS = 60_000;

    private BareFanoutNode() {}

    /**
     * Starts a node that fans out to {@code targets}' {@code service}, in {@code dir}, with these JVM options; ready
     * once it listens.
     */
    static Started start(Path dir, List<Endpoint> targets, String service, List<String> javaOptions)
            throws IOException {
        Path file = Files.write(dir.resolve("bare-fanout-targets-" + service),
                targets.stream().map(Endpoint::baseUri).toList());
        int port = FreePorts.tcp();
        ServerProcess process = ChildJvm.start("bare-fanout", javaOptions, BareFanoutNode.class,
                own -> List.of(String.valueOf(port), file.toString(), Wire.RPC_PATH + service),
                ReadinessCheck.tcp(port));
        return new Started(process, URI.create("http://127.0.0.1:" + port + "/"));
    }

    /** A started node, seen from the harness: casts go to it, and its process is charged with their CPU. */
    record Started(ServerProcess process, URI uri) implements AutoCloseable {
        private static final java.net.http.HttpClient CLIENT = java.net.http.HttpClient.newHttpClient();
        private static final ObjectMapper JSON = new ObjectMapper();

        /** Fans a cast of {@code run(event)} out, as a client's cast to a broadcaster does; returns once started. */
        void cast(String event) throws IOException, InterruptedException {
            byte[] body = JSON.writeValueAsBytes(Map.of("kind", "cast", "method", "run", "args",
                    Map.of("event", event), "msg_id", UUID.randomUUID().toString()));
            HttpResponse<Void> answer = CLIENT.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding());
            if (answer.statusCode() != 202) {
                throw new IllegalStateException("the bare fanout node answered " + answer.statusCode());
            }
        }

        long pid() {
            return process.pid();
        }

        @Override
        public void close() {
            process.close();
        }
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        List<String> targets = Files.readAllLines(Path.of(args[1]));
        String path = args[2];
        HttpClient http = JsonPost.configure(new HttpClient(), IN_FLIGHT);
        http.setConnectTimeout(TIMEOUT_MILLIS);
        http.start();
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                byte[] body;
                try (InputStream in = Content.Source.asInputStream(request)) {
                    body = in.readAllBytes();
                }
                new Fanout(http, targets, path, body).start();
                response.setStatus(202);
                callback.succeeded();
                return true;
            }
        });
        server.start();
        ChildJvm.exitWithParent();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.stop();
                http.stop();
            } catch (Exception e) {
                System.err.println("cannot stop the bare fanout node: " + e);
            }
        }));
        server.join();
    }

    /** One fanout: {@value #IN_FLIGHT} lanes, each sending the next target's cast when its last one is answered. */
    private record Fanout(HttpClient http, List<String> targets, String path, byte[] body, AtomicInteger next) {
        Fanout(HttpClient http, List<String> targets, String path, byte[] body) {
            this(http, targets, path, body, new AtomicInteger());
        }

        void start() {
            for (int i = 0; i < Math.min(IN_FLIGHT, targets.size()); i++) {
                sendNext();
            }
        }

        private void sendNext() {
            int i = next.getAndIncrement();
            if (i >= targets.size()) {
                return;
            }
            JsonPost.to(http, targets.get(i), path, body, TIMEOUT_MILLIS, null, TraceHeaders.NONE)
                    .send((Result result) -> sendNext());
        }
    }
}

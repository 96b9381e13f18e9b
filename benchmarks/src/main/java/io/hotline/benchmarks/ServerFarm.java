package io.hotline.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.spi.EndpointStore;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * N fanout targets in this JVM: one Jetty server with N connectors, each on its own loopback port and registered in
 * the store as its own endpoint of {@code service}. Each answers a cast ({@code POST /v1/rpc/{service}}) as an RPC
 * server does, 202 once it has run the method, which records the cast's {@code event} argument in {@link Arrivals}.
 * One thread pool for all, so that a thousand targets fit in one process of a 2-core machine.
 */
final class ServerFarm implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Long enough that no heartbeat is needed during a run. */
    private static final HealthPolicy NO_HEARTBEAT = HealthPolicy.of(Duration.ofHours(1), Duration.ofHours(2),
            Duration.ofHours(3));

    private final Server server;
    private final EndpointStore store;
    private final List<Endpoint> endpoints = new ArrayList<>();

    ServerFarm(EndpointStore store, String service, int n, Arrivals arrivals) throws Exception {
        this.store = store;
        QueuedThreadPool pool = new QueuedThreadPool(n + 256, 16);
        pool.setName("farm-" + service);
        server = new Server(pool);
        for (int i = 0; i < n; i++) {
            // No acceptor thread: the connector's one selector accepts too.
            ServerConnector c = new ServerConnector(server, 0, 1);
            c.setHost("127.0.0.1");
            server.addConnector(c);
        }
        server.setHandler(new Handler.Abstract(Handler.AbstractContainer.InvocationType.BLOCKING) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                JsonNode body = JSON.readTree(Content.Source.asString(request, StandardCharsets.UTF_8));
                int port = ((InetSocketAddress) request.getConnectionMetaData().getLocalSocketAddress()).getPort();
                arrivals.arrived(body.path("args").path("event").asText(), port);
                response.setStatus(202);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                response.write(true, ByteBuffer.wrap(("{\"msg_id\":\"" + body.path("msg_id").asText() + "\"}")
                        .getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        });
        server.start();
        try {
            for (var connector : server.getConnectors()) {
                int port = ((ServerConnector) connector).getLocalPort();
                Endpoint e = Endpoint.builder(service).id("farm-" + port).server("farm-" + port)
                        .host("127.0.0.1").port(port).build();
                store.register(e, NO_HEARTBEAT);
                endpoints.add(e);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The N targets, as registered. */
    List<Endpoint> endpoints() {
        return List.copyOf(endpoints);
    }

    @Override
    public void close() throws Exception {
        for (Endpoint e : endpoints) {
            store.deregister(e.service(), e.id());
        }
        server.stop();
    }
}

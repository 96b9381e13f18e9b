package io.hotline.benchmarks;

import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.memory.MemoryStoreProvider;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.HttpTransport;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.server.NonBlocking;
import io.hotline.rpc.server.RpcServer;
import io.hotline.rpc.Target;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hotline as a service uses it: an {@link RpcServer} with an echo endpoint, and an {@link RpcClient} that finds it
 * through the {@code memory} store, both with their default settings but for the client's transport: HTTP/1.1 (the
 * default, a connection per request in flight) or h2c (one multiplexed connection); and for whether the endpoint is
 * declared {@link NonBlocking}, so that its calls run on the I/O thread, as gRPC's {@code directExecutor}.
 */
final class HotlineEcho implements CastContender {

    private static final Target TARGET = Target.topic("echo").exchange("bench");

    private final EndpointStore store;
    private final RpcServer server;
    private final RpcClient client;
    private final RpcClient.Prepared echo;
    private final Endpoint endpoint;
    private final AtomicLong castsAccepted = new AtomicLong();
    private final HttpTransport transport;

    HotlineEcho(Duration requestTimeout, HttpTransport transport, boolean nonBlocking) {
        this.transport = transport;
        this.endpoint = nonBlocking ? new NonBlockingEndpoint() : new Endpoint();
        // A space of its own, so that nothing else registered in this JVM is found.
        store = StoreProviders.load().open(HotlineConfig.of(Map.of(
                HotlineConfig.STORE, "memory",
                MemoryStoreProvider.SPACE, "rpc-comparison-" + UUID.randomUUID())));
        RpcServer startedServer = null;
        try {
            startedServer = RpcServer.builder(store).target(TARGET.server("bench-1")).endpoint(endpoint).start();
            client = RpcClient.builder(store).timeout(requestTimeout).transport(transport).build();
        } catch (RuntimeException e) {
            if (startedServer != null) {
                startedServer.close();
            }
            store.close();
            throw e;
        }
        server = startedServer;
        echo = client.prepare(TARGET);
    }

    @Override
    public String name() {
        return (transport == HttpTransport.H2C ? "Hotline h2c" : "Hotline")
                + (endpoint instanceof NonBlockingEndpoint ? ", @NonBlocking" : "");
    }

    @Override
    public CompletableFuture<?> call() {
        return echo.callAsync("echo", Payload.ARGS, Map.class);
    }

    /** Complete when the server has queued it (202). */
    @Override
    public CompletableFuture<?> cast() {
        return echo.castAsync("record", Payload.ARGS).thenRun(castsAccepted::incrementAndGet);
    }

    @Override
    public long awaitCastsHandled(Duration timeout) throws InterruptedException {
        return Backlog.await(() -> castsAccepted.get() - endpoint.recorded.get(), timeout);
    }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            try {
                server.close();
            } finally {
                store.close();
            }
        }
    }

    /** The endpoint object: public, with its parameter names in the class file (javac -parameters). */
    public static class Endpoint {
        private final AtomicLong recorded = new AtomicLong();

        /** What calls call. */
        public Map<String, Object> echo(Map<String, Object> payload) {
            return payload;
        }

        /** What casts call: counts them, so that the harness can wait for a backlog to drain. */
        public void record(Map<String, Object> payload) {
            recorded.incrementAndGet();
        }
    }

    /** The same methods, declared to never block: they only echo and count. */
    @NonBlocking
    public static final class NonBlockingEndpoint extends Endpoint {}
}

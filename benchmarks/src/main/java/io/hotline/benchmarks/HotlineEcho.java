package io.hotline.benchmarks;

import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.HttpTransport;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.Target;
import io.hotline.rpc.server.ListenerSettings;
import io.hotline.rpc.server.NonBlocking;
import io.hotline.rpc.server.PortRange;
import io.hotline.rpc.server.RpcServer;
import io.hotline.testing.FreePorts;
import io.hotline.testing.ReadinessCheck;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hotline as a service uses it: an {@link RpcServer} with an echo endpoint in a JVM of its own, and an
 * {@link RpcClient} here that finds it through the {@code file} store (a directory of the server's), both with their
 * default settings but for the client's transport: HTTP/1.1 (the default, a connection per request in flight) or h2c
 * (one multiplexed connection); and for whether the endpoint is declared {@link NonBlocking}, so that its calls run on
 * the I/O thread, as gRPC's {@code directExecutor}.
 */
final class HotlineEcho implements CastContender {

    private static final Target TARGET = Target.topic("echo").exchange("bench");
    private static final String STORE_DIR = "store";

    private final EchoServerJvm server;
    private final EndpointStore store;
    private final RpcClient client;
    private final RpcClient.Prepared echo;
    private final AtomicLong castsAccepted = new AtomicLong();
    private final HttpTransport transport;
    private final boolean nonBlocking;

    HotlineEcho(Duration requestTimeout, HttpTransport transport, boolean nonBlocking, List<String> serverJavaOptions) {
        this.transport = transport;
        this.nonBlocking = nonBlocking;
        int port = FreePorts.tcp();
        // Ready once registered: /readyz answers 200 only then.
        server = EchoServerJvm.start(name(), serverJavaOptions,
                ReadinessCheck.http(URI.create("http://127.0.0.1:" + port + "/readyz")),
                dir -> List.of("hotline", dir.resolve(STORE_DIR).toString(), String.valueOf(port),
                        String.valueOf(nonBlocking)));
        EndpointStore openedStore = null;
        RpcClient builtClient = null;
        try {
            openedStore = fileStore(server.directory().resolve(STORE_DIR));
            builtClient = RpcClient.builder(openedStore).timeout(requestTimeout).transport(transport).build();
            echo = builtClient.prepare(TARGET);
        } catch (RuntimeException e) {
            if (builtClient != null) {
                builtClient.close();
            }
            if (openedStore != null) {
                openedStore.close();
            }
            server.close();
            throw e;
        }
        store = openedStore;
        client = builtClient;
    }

    /** The server's side, run by {@link EchoServerJvm}: an RpcServer on {@code port}, registered in the file store. */
    static AutoCloseable serve(Path storeDir, int port, boolean nonBlocking) {
        EndpointStore store = fileStore(storeDir);
        try {
            RpcServer server = RpcServer.builder(store)
                    .target(TARGET.server("bench-1"))
                    .endpoint(nonBlocking ? new NonBlockingEndpoint() : new Endpoint())
                    .listener(ListenerSettings.DEFAULT.portRange(new PortRange(port, port)))
                    .start();
            return () -> {
                try {
                    server.close();
                } finally {
                    store.close();
                }
            };
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private static EndpointStore fileStore(Path dir) {
        return StoreProviders.load().open(HotlineConfig.of(Map.of(HotlineConfig.STORE, "file",
                "hotline.file.dir", dir.toString())));
    }

    @Override
    public String name() {
        return (transport == HttpTransport.H2C ? "Hotline h2c" : "Hotline") + (nonBlocking ? ", @NonBlocking" : "");
    }

    @Override
    public long serverPid() {
        return server.pid();
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

    /** Asks the server, by a call, how many casts it ran, until that is every cast it accepted. */
    @Override
    public long awaitCastsHandled(Duration timeout) throws InterruptedException {
        return Backlog.await(() -> castsAccepted.get() - echo.call("recorded", Map.of(), Long.class), timeout);
    }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            try {
                store.close();
            } finally {
                server.close();
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

        /** How many casts ran so far. */
        public long recorded() {
            return recorded.get();
        }
    }

    /** The same methods, declared to never block: they only echo and count. */
    @NonBlocking
    public static final class NonBlockingEndpoint extends Endpoint {}
}

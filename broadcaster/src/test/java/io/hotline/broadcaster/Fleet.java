package io.hotline.broadcaster;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.ListenerSettings;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.RpcServer;
import io.hotline.rpc.Target;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * RPC servers, broadcasters and clients of one test, sharing one store: the memory store of this JVM, or a file store
 * directory that other JVMs can share. Closes everything it made, last made first.
 */
final class Fleet implements AutoCloseable {

    static final Target TARGET = Target.topic("compute").exchange("nova");
    static final Target FANOUT = TARGET.asFanout();
    static final Zone AZ1 = Zone.of("region-one/az-1");
    static final Zone AZ2 = Zone.of("region-one/az-2");
    /** The peer token of the fleet's broadcasters, so that they take each other's shares. */
    static final String PEER_TOKEN = "peer-0123456789abcdef";

    private final HotlineConfig base;
    private final List<AutoCloseable> opened = new ArrayList<>();

    private Fleet(HotlineConfig base) {
        this.base = base;
    }

    /** A fleet in a memory space of its own. */
    static Fleet inMemory() {
        return new Fleet(HotlineConfig.of(Map.of("hotline.store", "memory",
                "hotline.memory.space", "fleet-" + UUID.randomUUID(), "hotline.memory.poll-interval", "20ms")));
    }

    /** A fleet registered in a file store in {@code dir}, which broadcasters in other processes can join. */
    static Fleet inFiles(Path dir) {
        return new Fleet(storeConfig(dir));
    }

    static HotlineConfig storeConfig(Path dir) {
        return HotlineConfig.of(Map.of("hotline.store", "file", "hotline.file.dir", dir.toString(),
                "hotline.file.poll-interval", "50ms"));
    }

    <T extends AutoCloseable> T track(T c) {
        opened.add(c);
        return c;
    }

    /** A store as another process in {@code zone} would open it. */
    EndpointStore store(Zone zone) {
        return track(StoreProviders.load().open(base.with("hotline.zone", zone.path())));
    }

    RpcServer.Builder serverBuilder(String name, Zone zone, Recorder recorder) {
        return RpcServer.builder(store(zone)).target(TARGET.server(name)).endpoint(recorder)
                .drainDelay(Duration.ZERO).gracePeriod(Duration.ofSeconds(5));
    }

    Recorder server(String name, Zone zone, String token) {
        Recorder recorder = new Recorder();
        RpcServer.Builder b = serverBuilder(name, zone, recorder);
        if (token != null) {
            b.token(token);
        }
        track(b.start());
        return recorder;
    }

    Recorder server(String name) {
        return server(name, AZ1, null);
    }

    /** A broadcaster in {@code zone} with the fleet's peer token, like every other one of the fleet. */
    Broadcaster.Builder broadcasterBuilder(Zone zone) {
        return Broadcaster.builder(store(zone)).drainDelay(Duration.ZERO).peerToken(PEER_TOKEN)
                .listener(ListenerSettings.DEFAULT.grace(Duration.ofSeconds(5)));
    }

    Broadcaster broadcaster() {
        return track(broadcasterBuilder(AZ1).start());
    }

    RpcClient client(String token) {
        return track(RpcClient.builder(store(AZ1)).token(token).timeout(Duration.ofSeconds(20)).build());
    }

    RpcClient client() {
        return client(null);
    }

    /** Registers {@code name} in AZ1 at {@code port} with id {@code id}, as if a server listened there. */
    void register(String id, String name, int port) {
        store(AZ1).register(Endpoint.builder(TARGET.service()).id(id).server(name).host("127.0.0.1").port(port)
                .zone(AZ1).build(), HealthPolicy.DEFAULT);
    }

    /** A loopback port nothing listens on. */
    static int deadPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    /**
     * A server that takes connections and never answers: a cast to it hangs until the sender gives up. Counts the
     * connections it took.
     */
    Tarpit tarpit() throws IOException {
        return track(new Tarpit());
    }

    static int count(Recorder r, String event) {
        return Collections.frequency(r.events, event);
    }

    @Override
    public void close() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    static final class Tarpit implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0);
        final AtomicInteger connections = new AtomicInteger();
        private final List<Socket> held = Collections.synchronizedList(new ArrayList<>());

        private Tarpit() throws IOException {
            Thread t = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        held.add(socket.accept());
                        connections.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "tarpit");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            synchronized (held) {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }
}

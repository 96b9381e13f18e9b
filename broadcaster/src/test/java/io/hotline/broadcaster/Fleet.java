package io.hotline.broadcaster;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Zone;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.server.ListenerSettings;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.server.RpcServer;
import io.hotline.rpc.Target;
import io.hotline.rpc.server.testing.RpcFleet;
import io.hotline.rpc.server.testing.Tarpit;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;

/**
 * RPC servers recording what they get, broadcasters and clients of one broadcaster test, over the shared
 * {@link RpcFleet}: its store, its clean-up.
 */
final class Fleet implements AutoCloseable {

    static final Target TARGET = Target.topic("compute").exchange("nova");
    static final Target FANOUT = TARGET.asFanout();
    static final Zone AZ1 = RpcFleet.AZ1;
    static final Zone AZ2 = Zone.of("region-one/az-2");
    /** The peer token of the fleet's broadcasters, so that they take each other's shares. */
    static final String PEER_TOKEN = "peer-0123456789abcdef";

    private final RpcFleet rpc;

    private Fleet(RpcFleet rpc) {
        this.rpc = rpc;
    }

    /** A fleet in a memory space of its own. */
    static Fleet inMemory() {
        return new Fleet(RpcFleet.inMemory());
    }

    /** A fleet registered in a file store in {@code dir}, which broadcasters in other processes can join. */
    static Fleet inFiles(Path dir) {
        return new Fleet(RpcFleet.inFiles(dir));
    }

    <T extends AutoCloseable> T track(T c) {
        return rpc.track(c);
    }

    /** A store as another process in {@code zone} would open it. */
    EndpointStore store(Zone zone) {
        return rpc.store(zone);
    }

    RpcServer.Builder serverBuilder(String name, Zone zone, Recorder recorder) {
        return rpc.serverBuilder(zone).target(TARGET.server(name)).endpoint(recorder);
    }

    Recorder server(String name, Zone zone, String token) {
        Recorder recorder = new Recorder();
        RpcServer.Builder b = serverBuilder(name, zone, recorder);
        if (token != null) {
            b.token(token);
        }
        rpc.start(b);
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
        return rpc.client(rpc.clientBuilder(AZ1).token(token));
    }

    RpcClient client() {
        return client(null);
    }

    /** Registers {@code name} in AZ1 at {@code port} with id {@code id}, as if a server listened there. */
    void register(String id, String name, int port) {
        store(AZ1).register(Endpoint.builder(TARGET.service()).id(id).server(name).host("127.0.0.1").port(port)
                .zone(AZ1).build(), HealthPolicy.DEFAULT);
    }

    /** A server that takes connections and never answers: a cast to it hangs until the sender gives up. */
    Tarpit tarpit() throws IOException {
        return rpc.tarpit();
    }

    static int count(Recorder r, String event) {
        return Collections.frequency(r.events, event);
    }

    @Override
    public void close() throws Exception {
        rpc.close();
    }
}

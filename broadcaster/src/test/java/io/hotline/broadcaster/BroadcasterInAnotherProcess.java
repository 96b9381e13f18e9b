package io.hotline.broadcaster;

import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.server.testing.RpcFleet;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Run by the kill tests in a JVM of its own, so that it can die as a process does: a broadcaster on the file store
 * {@code args[0]} in zone {@code args[1]} with a per-target timeout of {@code args[2]} and the fleet's peer token, printing
 * {@code listening <port>} once registered.
 */
public final class BroadcasterInAnotherProcess {

    private BroadcasterInAnotherProcess() {}

    public static void main(String[] args) throws InterruptedException {
        EndpointStore store = StoreProviders.load().open(RpcFleet.fileStoreConfig(Path.of(args[0]))
                .with("hotline.zone", args[1]));
        Broadcaster broadcaster = Broadcaster.builder(store).perTargetTimeout(Duration.parse(args[2]))
                .peerToken(Fleet.PEER_TOKEN).drainDelay(Duration.ZERO).start();
        System.out.println("listening " + broadcaster.port());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}

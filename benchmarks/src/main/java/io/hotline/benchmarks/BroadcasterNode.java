package io.hotline.benchmarks;

import io.hotline.broadcaster.Broadcaster;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.server.ListenerSettings;
import io.hotline.rpc.server.PortRange;
import java.time.Duration;
import java.util.Map;

/**
 * One broadcaster of the fanout comparison, in a JVM of its own so that its CPU and memory can be read from /proc:
 * {@code BroadcasterNode <file store dir> <port> <split threshold> <split ways> <peer token>}, with defaults otherwise
 * (the nodes of a run share the peer token, so that they take each other's shares). Runs until killed.
 */
public final class BroadcasterNode {

    private BroadcasterNode() {}

    public static void main(String[] args) throws InterruptedException {
        EndpointStore store = StoreProviders.load().open(HotlineConfig.of(Map.of("hotline.store", "file",
                "hotline.file.dir", args[0])));
        int port = Integer.parseInt(args[1]);
        Broadcaster broadcaster = Broadcaster.builder(store)
                .listener(ListenerSettings.DEFAULT.portRange(new PortRange(port, port)))
                .splitThreshold(Integer.parseInt(args[2]))
                .splitWays(Integer.parseInt(args[3]))
                .peerToken(args[4])
                .drainDelay(Duration.ZERO)
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(broadcaster::close));
        Thread.sleep(Long.MAX_VALUE);
    }
}

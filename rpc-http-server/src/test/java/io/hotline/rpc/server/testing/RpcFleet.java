package io.hotline.rpc.server.testing;

import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.server.RpcServer;
import io.hotline.testing.Closer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * RPC servers and clients of one test, sharing one store: the memory store of this JVM, a file store directory that
 * other JVMs can share, or any store a configuration names (redis, consul). Each server and client gets a store
 * instance of its own, as a separate process would; the fleet closes everything it made, last made first.
 *
 * <pre>{@code
 * private final RpcFleet fleet = RpcFleet.inMemory();
 *
 * @AfterEach
 * void closeAll() throws Exception {
 *     fleet.close();
 * }
 *
 * @Test
 * void callsAServer() {
 *     fleet.start(fleet.serverBuilder().target(TARGET.server("a")).endpoint(new Api()));
 *     RpcClient client = fleet.client();
 *     ...
 * }
 * }</pre>
 *
 * <p>In rpc-http's test-jar, for every module's tests: depend on {@code rpc-http} with {@code <type>test-jar</type>}
 * and {@code <scope>test</scope>}.
 */
public final class RpcFleet implements AutoCloseable {

    /** The zone the fleet's stores are opened in unless a test names another. */
    public static final Zone AZ1 = Zone.of("region-one/az-1");

    private final HotlineConfig base;
    private final Zone home;
    private final Closer closer = new Closer();

    private RpcFleet(HotlineConfig base, Zone home) {
        this.base = base;
        this.home = home;
    }

    /** A fleet in a memory space of its own, polled every 20 ms, at home in {@link #AZ1}. */
    public static RpcFleet inMemory() {
        return new RpcFleet(HotlineConfig.of(Map.of("hotline.store", "memory",
                "hotline.memory.space", "fleet-" + UUID.randomUUID(), "hotline.memory.poll-interval", "20ms")), AZ1);
    }

    /** A fleet registered in a file store in {@code dir}, which processes of other JVMs can join; home {@link #AZ1}. */
    public static RpcFleet inFiles(Path dir) {
        return new RpcFleet(fileStoreConfig(dir), AZ1);
    }

    /** A fleet in the store {@code storeConfig} names (e.g. {@code hotline.store=redis} and its nodes), at home in {@code home}. */
    public static RpcFleet over(HotlineConfig storeConfig, Zone home) {
        return new RpcFleet(storeConfig, home);
    }

    /** The configuration of a file store in {@code dir} polled every 50 ms, e.g. for a child JVM to join the fleet. */
    public static HotlineConfig fileStoreConfig(Path dir) {
        return HotlineConfig.of(Map.of("hotline.store", "file", "hotline.file.dir", dir.toString(),
                "hotline.file.poll-interval", "50ms"));
    }

    /** Closes {@code resource} with the fleet, before what the fleet made earlier; returns it. */
    public <T extends AutoCloseable> T track(T resource) {
        return closer.track(resource);
    }

    /** Closes {@code resource} now, e.g. a server a test stops halfway; the fleet does not close it again. */
    public void closeNow(AutoCloseable resource) throws Exception {
        closer.closeNow(resource);
    }

    /** A store as another process in {@code zone} would open it. */
    public EndpointStore store(Zone zone) {
        return track(StoreProviders.load().open(base.with("hotline.zone", zone.path())));
    }

    /** A store as another process in the fleet's home zone would open it. */
    public EndpointStore store() {
        return store(home);
    }

    /** A server over a store of its own in {@code zone}: no drain delay, 5 s for calls in flight when it stops. */
    public RpcServer.Builder serverBuilder(Zone zone) {
        return RpcServer.builder(store(zone)).drainDelay(Duration.ZERO).gracePeriod(Duration.ofSeconds(5));
    }

    /** {@link #serverBuilder(Zone)} in the home zone. */
    public RpcServer.Builder serverBuilder() {
        return serverBuilder(home);
    }

    /** Starts {@code server}, to be stopped with the fleet. */
    public RpcServer start(RpcServer.Builder server) {
        return track(server.start());
    }

    /** A client over a store of its own in {@code zone}, giving up on a call after 20 s. */
    public RpcClient.Builder clientBuilder(Zone zone) {
        return RpcClient.builder(store(zone)).timeout(Duration.ofSeconds(20));
    }

    /** Builds {@code client}, to be closed with the fleet. */
    public RpcClient client(RpcClient.Builder client) {
        return track(client.build());
    }

    /** A client in the home zone: {@link #clientBuilder(Zone)} as it is. */
    public RpcClient client() {
        return client(clientBuilder(home));
    }

    /** A loopback port nothing listens on: a connection to it is refused at once. */
    public static int deadPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    /** A server that takes connections and never answers, closed with the fleet. */
    public Tarpit tarpit() throws IOException {
        return track(new Tarpit());
    }

    /** Closes every server, client and store the fleet made or tracked, the last first. */
    @Override
    public void close() throws Exception {
        closer.close();
    }
}

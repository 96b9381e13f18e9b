package io.hotline.rpc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.file.FileStoreProvider;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.ForwardingEndpointStore;
import io.hotline.discovery.spi.Watch;
import io.hotline.discovery.spi.WatchListener;
import io.hotline.rpc.MessagingTimeout;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.Target;
import io.hotline.testing.Closer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a client rides out what goes wrong around it (issue 13): one hung server of three costs each caller a few
 * timeouts, not its throughput; a store that comes back empty does not take every server away.
 */
class ClientResilienceTest {

    private static final Target TARGET = Target.topic("conductor").exchange("nova");
    private static final Zone ZONE = Zone.of("region-one/az-1");

    @TempDir
    Path root;

    private final Closer closer = new Closer();

    @AfterEach
    void closeAll() throws Exception {
        closer.close();
    }

    private <T extends AutoCloseable> T track(T c) {
        return closer.track(c);
    }

    @Test
    void aHungServerOfThreeCostsEachCallerAFewTimeoutsNotItsThroughput() throws Exception {
        HotlineConfig config = HotlineConfig.of(Map.of("hotline.store", "memory",
                "hotline.memory.space", "hung-" + UUID.randomUUID(), "hotline.zone", ZONE.path()));
        EndpointStore store = track(StoreProviders.load().open(config));
        for (String name : List.of("a", "b")) {
            track(RpcServer.builder(store).target(TARGET.server(name)).endpoint(new TestApi(name))
                    .drainDelay(Duration.ZERO).start());
        }
        // A process stopped with SIGSTOP: the kernel still completes connections (the backlog), nothing answers.
        ServerSocket hung = track(new ServerSocket(0, 1000, InetAddress.getLoopbackAddress()));
        store.register(Endpoint.builder(TARGET.service()).server("hung").host("127.0.0.1").port(hung.getLocalPort())
                .zone(ZONE).build(), HealthPolicy.DEFAULT);
        RpcClient client = track(RpcClient.builder(store).timeout(Duration.ofSeconds(1)).build());

        int callers = 6;
        int calls = 40;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<Integer>> timeouts = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                timeouts.add(pool.submit(() -> {
                    int timedOut = 0;
                    for (int i = 0; i < calls; i++) {
                        try {
                            assertThat(client.prepare(TARGET).call("echo", Map.of("text", "x"), String.class))
                                    .isEqualTo("x");
                        } catch (MessagingTimeout e) {
                            timedOut++;
                        }
                    }
                    return timedOut;
                }));
            }
            for (Future<Integer> f : timeouts) {
                // Without ejection a third of the calls wait out the timeout: about 13 of 40 per caller.
                assertThat(f.get()).as("timeouts of one caller in %s calls", calls).isLessThanOrEqualTo(3);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFileStoreBackEmptyAfterAnOutageKeepsTheServersCallable() throws Exception {
        Path zoneDir = FileStoreProvider.zoneDirectory(root, ZONE);
        TwoServers two = twoServersOnAFileStore(zoneDir);

        // An outage (the zone directory is a file), then the store comes back without its data.
        pointAt(zoneDir, Files.writeString(Files.createTempFile(root, ".outage-", ""), "outage"));
        await().atMost(Duration.ofSeconds(10)).until(() -> two.seen().errors.get() > 0);
        int before = two.seen().emptySnapshots.get();
        pointAt(zoneDir, Files.createTempDirectory(root, ".zone-"));
        await().atMost(Duration.ofSeconds(10)).until(() -> two.seen().emptySnapshots.get() > before);

        assertThat(serversCalled(two.client(), 40)).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void aFileStoreEmptiedUnderItsServersKeepsThemCallable() throws Exception {
        Path zoneDir = FileStoreProvider.zoneDirectory(root, ZONE);
        TwoServers two = twoServersOnAFileStore(zoneDir);

        // Every record gone in one change, and no failure: what deleting a file store's records looks like.
        int before = two.seen().emptySnapshots.get();
        pointAt(zoneDir, Files.createTempDirectory(root, ".zone-"));
        await().atMost(Duration.ofSeconds(10)).until(() -> two.seen().emptySnapshots.get() > before);

        assertThat(serversCalled(two.client(), 40)).containsExactlyInAnyOrder("a", "b");
        assertThat(two.seen().errors.get()).as("the store reported no failure").isZero();
    }

    private record TwoServers(SeenStore seen, RpcClient client) {}

    /**
     * Servers "a" and "b" on a file store whose zone directory {@code zoneDir} is a symbolic link, renewing only every
     * 30 s (a store back empty lists neither during a test), and a client that has called both.
     */
    private TwoServers twoServersOnAFileStore(Path zoneDir) throws Exception {
        pointAt(zoneDir, Files.createTempDirectory(root, ".zone-"));
        HotlineConfig config = HotlineConfig.of(Map.of("hotline.store", "file", "hotline.file.dir", root.toString(),
                "hotline.file.poll-interval", "50ms", "hotline.zone", ZONE.path(),
                HealthPolicy.REPORT_INTERVAL, "30s"));
        HealthPolicy rare = HealthPolicy.DEFAULT.config(config);
        for (String name : List.of("a", "b")) {
            track(RpcServer.builder(track(StoreProviders.load().open(config))).target(TARGET.server(name))
                    .endpoint(new TestApi(name)).healthPolicy(rare).drainDelay(Duration.ZERO).start());
        }
        SeenStore seen = track(new SeenStore(StoreProviders.load().open(config)));
        RpcClient client = track(RpcClient.builder(seen).config(config).build());
        Set<String> servers = new HashSet<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            servers.add(client.prepare(TARGET).call("server", Map.of(), String.class));
            return servers.size() == 2;
        });
        return new TwoServers(seen, client);
    }

    /** The servers that answered {@code calls} calls. */
    private static Set<String> serversCalled(RpcClient client, int calls) {
        Set<String> servers = new HashSet<>();
        for (int i = 0; i < calls; i++) {
            servers.add(client.prepare(TARGET).call("server", Map.of(), String.class));
        }
        return servers;
    }

    /** Points the symbolic link {@code link} at {@code target} in one rename, so that no reader sees it missing. */
    private void pointAt(Path link, Path target) throws Exception {
        Path fresh = root.resolve(".link-" + UUID.randomUUID());
        Files.createSymbolicLink(fresh, target);
        Files.move(fresh, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The client's store, counting what its watches report: failures, and snapshots with no endpoint. */
    private static final class SeenStore extends ForwardingEndpointStore {
        final AtomicInteger errors = new AtomicInteger();
        final AtomicInteger emptySnapshots = new AtomicInteger();

        SeenStore(EndpointStore store) {
            super(store);
        }

        @Override
        public Watch watch(String service, Zone zone, WatchListener listener) {
            return super.watch(service, zone, new WatchListener() {
                @Override
                public void onSnapshot(List<EndpointStatus> endpoints) {
                    listener.onSnapshot(endpoints);
                    if (endpoints.isEmpty()) {
                        emptySnapshots.incrementAndGet();
                    }
                }

                @Override
                public void onError(StoreException error) {
                    listener.onError(error);
                    errors.incrementAndGet();
                }
            });
        }
    }
}

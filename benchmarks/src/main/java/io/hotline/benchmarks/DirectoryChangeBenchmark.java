package io.hotline.benchmarks;

import io.hotline.discovery.Directory;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.Query;
import io.hotline.discovery.Resolution;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.memory.MemoryStoreProvider;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.ForwardingEndpointStore;
import io.hotline.discovery.spi.Watch;
import io.hotline.discovery.spi.WatchListener;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a client's {@link Directory} pays when one endpoint of a large service changes: a watch delivers the
 * service's whole list (the SPI's watches deliver snapshots, not deltas) with one endpoint's health flipped, and the
 * next {@link Directory#resolve} rebuilds the query's resolution from it. At 13,000 compute hosts renewing every 10 s a
 * conductor sees such changes many times a second, more during a restart storm.
 *
 * <p>The snapshots are handed to the directory's watch listener on the benchmark thread by a store that captures it,
 * so only the directory's own work is measured: the store's listing, decoding and network are not. Two lists are
 * prepared before the run and delivered in turn; they differ in one endpoint's health, as a renewal that revives an
 * endpoint or a lapse makes them differ.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar DirectoryChange -f 1 -wi 3 -i 5 -w 1s -r 1s
 * java -jar benchmarks/target/benchmarks.jar DirectoryChange -p endpoints=13000 -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class DirectoryChangeBenchmark {

    /** The service {@link DirectoryFootprint#hosts} registers. */
    private static final String SERVICE = "nova.compute";

    @Param({"1000", "4000", "13000"})
    int endpoints;

    private EndpointStore store;
    private Directory directory;
    private Query query;
    private WatchListener listener;
    private List<List<EndpointStatus>> snapshots;
    private int turn;

    @Setup(Level.Trial)
    public void open() {
        HotlineConfig config = HotlineConfig.of(Map.of(
                HotlineConfig.STORE, "memory",
                MemoryStoreProvider.SPACE, "benchmark-" + UUID.randomUUID()));
        EndpointStore memory = StoreProviders.load().open(config);
        List<EndpointStatus> all = DirectoryFootprint.hosts(endpoints);
        Instant since = all.get(0).since().orElseThrow();
        List<EndpointStatus> flipped = new ArrayList<>(all);
        int middle = endpoints / 2;
        flipped.set(middle, new EndpointStatus(all.get(middle).endpoint(), Health.CRITICAL, since.plusSeconds(60)));
        snapshots = List.of(List.copyOf(all), List.copyOf(flipped));
        store = new ForwardingEndpointStore(memory) {
            @Override
            public List<EndpointStatus> list(String service, Zone zone) {
                return snapshots.get(0);
            }

            @Override
            public Watch watch(String service, Zone zone, WatchListener l) {
                listener = l;
                return () -> { };
            }
        };
        directory = Directory.builder(store).build();
        query = Query.of(SERVICE);
        // Lists the service and opens its watch; from then on the benchmark feeds the watch.
        directory.resolve(query);
        if (listener == null) {
            throw new IllegalStateException("the directory opened no watch");
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        directory.close();
        store.close();
    }

    /** One change delivered by the watch, then the resolution a caller's next pick rebuilds. */
    @Benchmark
    public Resolution applyOneChange() {
        listener.onSnapshot(snapshots.get(turn++ & 1));
        return directory.resolve(query);
    }
}

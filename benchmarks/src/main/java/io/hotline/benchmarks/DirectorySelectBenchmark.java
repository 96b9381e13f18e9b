package io.hotline.benchmarks;

import io.hotline.discovery.Directory;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Query;
import io.hotline.discovery.Selection;
import io.hotline.discovery.SelectionStrategy;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.memory.MemoryStoreProvider;
import io.hotline.discovery.spi.EndpointStore;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one RPC call pays to find its server: {@link Directory#select} of a cached, healthy service and
 * {@link Selection#close()}, per endpoint count and {@link SelectionStrategy}, on one thread and on two threads
 * sharing the directory. The store is {@code memory}, so only the directory's own work is measured; its watch
 * re-lists in the background as a real store's would.
 *
 * <p>The goal is at most 1 µs per selection at 10,000 endpoints, and no growth from 10 to 10,000.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar DirectorySelect -f 1 -wi 3 -i 5 -w 1s -r 1s
 * java -jar benchmarks/target/benchmarks.jar DirectorySelect -p endpoints=10000 -p strategy=RANDOM -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class DirectorySelectBenchmark {

    private static final String SERVICE = "nova.conductor";

    @Param({"10", "1000", "10000"})
    int endpoints;

    @Param
    SelectionStrategy strategy;

    private EndpointStore store;
    private Directory directory;
    private Query query;
    private String[] ids;

    @Setup(Level.Trial)
    public void open() {
        // A space of its own, so that no other trial's registrations are in it.
        HotlineConfig config = HotlineConfig.of(Map.of(
                HotlineConfig.STORE, "memory",
                MemoryStoreProvider.SPACE, "benchmark-" + UUID.randomUUID()));
        store = StoreProviders.load().open(config);
        ids = new String[endpoints];
        for (int i = 0; i < endpoints; i++) {
            Endpoint e = Endpoint.builder(SERVICE)
                    .host("10." + (i >> 16 & 0xff) + "." + (i >> 8 & 0xff) + "." + (i & 0xff))
                    .port(20000)
                    .build();
            store.register(e, HealthPolicy.DEFAULT);
            ids[i] = e.id();
        }
        directory = Directory.builder(store).strategy(strategy).build();
        query = Query.of(SERVICE);
        // The first select lists the service and opens its watch; only cached selections are measured.
        directory.select(query).close();
    }

    /** Keeps every endpoint passing however long the run: {@link HealthPolicy#DEFAULT} marks it down after 60 s. */
    @Setup(Level.Iteration)
    public void renew() {
        for (String id : ids) {
            store.renew(SERVICE, id);
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        directory.close();
        store.close();
    }

    @Benchmark
    public Endpoint selectOneThread() {
        try (Selection s = directory.select(query)) {
            return s.endpoint();
        }
    }

    @Benchmark
    @Threads(2)
    public Endpoint selectTwoThreads() {
        try (Selection s = directory.select(query)) {
            return s.endpoint();
        }
    }
}

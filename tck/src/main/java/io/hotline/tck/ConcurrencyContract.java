package io.hotline.tck;

import static io.hotline.tck.TckContext.endpoint;
import static io.hotline.tck.TckContext.newService;
import static org.assertj.core.api.Assertions.assertThat;

import io.hotline.discovery.Directory;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Query;
import io.hotline.discovery.Selection;
import io.hotline.discovery.spi.EndpointStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Contract 6, concurrency and size: a store is used from many threads at once and loses nothing; services are larger
 * than any page or round a store might cut its reads into, in {@code list} and in watches. Scale: 1,000 concurrent
 * registrations (6.1), up to 6,000 registrations under selection (6.2), one service of 2,500 endpoints (6.3) and ten
 * of 100 (6.4).
 */
public interface ConcurrencyContract {

    /** Larger than the round sizes stores commonly read in (1,000, 1,024, 2,000, 2,048). */
    int LARGE_SERVICE = 2_500;

    /** How long the size clauses wait for a large first read; speed is the watch and health clauses' concern. */
    Duration WHOLE = Duration.ofSeconds(30);

    /**
     * Eight threads register 125 endpoints each (1,000 in all, interleaved) through two store instances while two
     * threads list the service through a third: no list may hold a duplicate or a torn record, and all 1,000 must be
     * listed after. Scale: 1,000 registrations from 8 threads, lists every tenth of the propagation bound.
     */
    @Test
    @DisplayName("6.1 eight writers through two store instances and two readers at once lose nothing and see no torn "
            + "records")
    default void manyWritersAndReaders(TckContext tck) throws Exception {
        List<EndpointStore> writerStores = List.of(tck.open(tck.home()), tck.open(tck.home()));
        EndpointStore readerStore = tck.open(tck.home());
        String service = newService();
        int writers = 8;
        int each = 125;
        AtomicBoolean writing = new AtomicBoolean(true);
        List<Throwable> readerErrors = new CopyOnWriteArrayList<>();
        CyclicBarrier start = new CyclicBarrier(writers);
        ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
        try {
            List<Future<?>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(pool.submit(() -> {
                    // Reads are spaced a tenth of the propagation bound apart, so a store whose reads are heavy
                    // (thousands of records through a remote agent) is not starved of writes by its own readers.
                    long pause = tck.propagation().toMillis() / 10;
                    while (writing.get()) {
                        try {
                            Thread.sleep(pause);
                            Set<String> seen = new HashSet<>();
                            for (EndpointStatus st : readerStore.list(service, tck.home())) {
                                assertThat(seen.add(st.endpoint().id())).as("duplicate %s", st).isTrue();
                                int n = Integer.parseInt(st.endpoint().id().substring(1));
                                assertThat(st.endpoint()).isEqualTo(endpoint(service, tck.home(), n));
                            }
                        } catch (Throwable t) {
                            readerErrors.add(t);
                            return;
                        }
                    }
                }));
            }
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                // Writers interleave their numbers, so neighbouring records are written by different threads at once.
                int offset = w;
                EndpointStore writerStore = writerStores.get(w % writerStores.size());
                done.add(pool.submit(() -> {
                    start.await(1, TimeUnit.MINUTES);
                    for (int i = 0; i < each; i++) {
                        writerStore.register(endpoint(service, tck.home(), i * writers + offset), tck.longLived());
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(5, TimeUnit.MINUTES);
            }
            writing.set(false);
            for (Future<?> f : readers) {
                f.get(1, TimeUnit.MINUTES);
            }
        } finally {
            writing.set(false);
            pool.shutdownNow();
        }
        assertThat(readerErrors).isEmpty();
        tck.settle();
        assertThat(readerStore.list(service, tck.home())).hasSize(writers * each);
    }

    /**
     * Registers 1,000 endpoints, then one thread registers new ones and deregisters the one before (up to 5,000 more)
     * while two threads make 5,000 selections each through a {@code Directory}: every selection must be an endpoint
     * that was registered. Scale: up to 6,000 registrations, 10,000 selections.
     */
    @Test
    @DisplayName("6.2 selection under concurrent churn only returns endpoints that were registered")
    default void selectionUnderChurn(TckContext tck) throws Exception {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        int stable = 1000;
        registerAll(tck, store, service, stable);
        Directory dir = tck.directory(store);
        tck.within(WHOLE).until(() -> dir.resolve(Query.of(service)).size() == stable);

        Set<String> everRegistered = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < stable; i++) {
            everRegistered.add("e" + i);
        }
        AtomicBoolean churning = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<?> churn = pool.submit(() -> {
                int i = stable;
                while (churning.get() && i < stable + 5_000) {
                    everRegistered.add("e" + i);
                    store.register(endpoint(service, tck.home(), i), tck.longLived());
                    if (i > stable) {
                        store.deregister(service, "e" + (i - 1));
                    }
                    i++;
                }
            });
            List<Future<Integer>> selectors = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                selectors.add(pool.submit(() -> {
                    int picked = 0;
                    for (int k = 0; k < 5_000; k++) {
                        try (Selection s = dir.select(Query.of(service))) {
                            assertThat(everRegistered).contains(s.endpoint().id());
                            picked++;
                        }
                    }
                    return picked;
                }));
            }
            for (Future<Integer> f : selectors) {
                assertThat(f.get(2, TimeUnit.MINUTES)).isEqualTo(5_000);
            }
            churning.set(false);
            churn.get(1, TimeUnit.MINUTES);
        } finally {
            churning.set(false);
            pool.shutdownNow();
        }
    }

    /**
     * Registers 2,500 endpoints of one service from four threads, more than the rounds stores commonly read in; {@code
     * list} and a new watch's first snapshot must hold all of them, and one more registration must show as 2,501.
     * Scale: 2,501 registrations; the reads may take up to 30 s.
     */
    @Test
    @DisplayName("6.3 a service larger than any read round is listed and watched whole")
    default void largeServiceIsListedAndWatchedWhole(TckContext tck) throws Exception {
        EndpointStore store = tck.open(tck.home());
        String service = newService();
        registerAll(tck, store, service, LARGE_SERVICE);
        // Reading thousands of records may itself take longer than the propagation bound, so the reads are made
        // once the bound has passed, however long they take, rather than polled against it.
        tck.settle();
        assertThat(store.list(service, tck.home())).hasSize(LARGE_SERVICE);
        SnapshotRecorder rec = new SnapshotRecorder();
        tck.watch(store, service, tck.home(), rec);
        tck.within(WHOLE).until(rec::hasSnapshot);
        assertThat(rec.snapshots().get(0)).as("the first snapshot of a large service").hasSize(LARGE_SERVICE);
        int before = rec.count();
        store.register(endpoint(service, tck.home(), LARGE_SERVICE), tck.longLived());
        tck.within(WHOLE).until(() -> rec.count() > before);
        tck.settle();
        assertThat(rec.latestSnapshot()).as("the snapshot after one more registration").hasSize(LARGE_SERVICE + 1);
    }

    /**
     * Registers 100 endpoints in each of ten services and checks each service lists its own 100, no more, within the
     * propagation bound. Scale: 1,000 registrations in ten services.
     */
    @Test
    @DisplayName("6.4 ten services of a hundred endpoints each are all kept, each to itself")
    default void manyServicesAndThousandsOfEndpoints(TckContext tck) throws Exception {
        EndpointStore store = tck.open(tck.home());
        int services = 10;
        int perService = 100;
        List<String> names = new ArrayList<>();
        for (int s = 0; s < services; s++) {
            names.add(newService());
        }
        for (String name : names) {
            registerAll(tck, store, name, perService);
        }
        for (String name : names) {
            tck.within(tck.propagation()).untilAsserted(() -> {
                List<EndpointStatus> listed = store.list(name, tck.home());
                assertThat(listed).hasSize(perService);
                assertThat(listed).allMatch(st -> st.endpoint().service().equals(name));
                assertThat(listed.stream().map(st -> st.endpoint().id()).distinct()).hasSize(perService);
            });
        }
    }

    /** Registers endpoints 0 to {@code count - 1} of {@code service} from four threads, as a fleet starting up would. */
    private static void registerAll(TckContext tck, EndpointStore store, String service, int count) throws Exception {
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int offset = t;
                done.add(pool.submit(() -> {
                    for (int i = offset; i < count; i += threads) {
                        store.register(endpoint(service, tck.home(), i), tck.longLived());
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}

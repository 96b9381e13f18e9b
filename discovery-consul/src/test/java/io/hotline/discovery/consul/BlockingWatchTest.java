package io.hotline.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.StoreUnavailableException;
import io.hotline.discovery.Zone;
import io.hotline.discovery.spi.WatchListener;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The blocking-query loop on its own, fed scripted pages, for what a real agent cannot be made to do on cue: fail
 * exactly N times, or hand back an index that went backwards. (The TCK runs the same loop against real agents.)
 */
class BlockingWatchTest {

    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<BigInteger> asked = new CopyOnWriteArrayList<>();
    private final List<List<EndpointStatus>> snapshots = new CopyOnWriteArrayList<>();
    private final List<StoreException> errors = new CopyOnWriteArrayList<>();
    private final WatchListener listener = new WatchListener() {
        @Override
        public void onSnapshot(List<EndpointStatus> endpoints) {
            snapshots.add(endpoints);
        }

        @Override
        public void onError(StoreException error) {
            errors.add(error);
        }
    };

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    private static List<EndpointStatus> endpoints(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> new EndpointStatus(Endpoint.builder("s")
                .id("e" + i).host("127.0.0.1").port(20000 + i).zone(Zone.of("dc1")).build(), Health.PASSING)).toList();
    }

    /** Answers from the script in order, then blocks like a quiet agent. */
    private BlockingWatch.Reader script(Deque<Supplier<BlockingWatch.Page>> steps) {
        return index -> {
            asked.add(index);
            Supplier<BlockingWatch.Page> next;
            synchronized (steps) {
                next = steps.poll();
            }
            if (next == null) {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new StoreUnavailableException("closed");
            }
            return next.get();
        };
    }

    private static Supplier<BlockingWatch.Page> page(int n, long index) {
        return () -> new BlockingWatch.Page(endpoints(n), BigInteger.valueOf(index));
    }

    private static Supplier<BlockingWatch.Page> failure() {
        return () -> {
            throw new StoreUnavailableException("agent restarting");
        };
    }

    @Test
    void briefFailuresAreRiddenOutAndFollowedByAFullReRead() {
        Deque<Supplier<BlockingWatch.Page>> steps = new ArrayDeque<>(List.of(
                page(1, 10), failure(), failure(), failure(), page(2, 3), page(3, 4)));
        BlockingWatch w = BlockingWatch.start("s in dc1", script(steps), listener, executor);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> snapshots.size() == 3);
            assertThat(errors).isEmpty();
            assertThat(snapshots).extracting(List::size).containsExactly(1, 2, 3);
            // index 10 blocks; after each failure the loop re-reads fully (index 0); the agent then counts from 3.
            assertThat(asked.subList(0, 6)).containsExactly(BigInteger.ZERO, BigInteger.TEN, BigInteger.ZERO,
                    BigInteger.ZERO, BigInteger.ZERO, BigInteger.valueOf(3));
        } finally {
            w.close();
        }
    }

    @Test
    void anAgentThatStaysDownEndsTheWatchWithOneError() {
        Deque<Supplier<BlockingWatch.Page>> steps = new ArrayDeque<>(List.of(page(1, 5)));
        for (int i = 0; i <= BlockingWatch.RETRIES; i++) {
            steps.add(failure());
        }
        steps.add(page(2, 6));
        BlockingWatch.start("s in dc1", script(steps), listener, executor);
        await().atMost(Duration.ofSeconds(10)).until(() -> !errors.isEmpty());
        assertThat(errors).singleElement().isInstanceOf(StoreUnavailableException.class);
        assertThat(snapshots).hasSize(1);
        assertThat(asked).hasSize(2 + BlockingWatch.RETRIES);
    }

    @Test
    void anIndexThatGoesBackwardsIsAResetNotABlockOnTheOldIndex() {
        Deque<Supplier<BlockingWatch.Page>> steps = new ArrayDeque<>(List.of(page(1, 50), page(2, 7), page(2, 8)));
        BlockingWatch w = BlockingWatch.start("s in dc1", script(steps), listener, executor);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> asked.size() >= 4);
            assertThat(asked.subList(0, 4)).containsExactly(BigInteger.ZERO, BigInteger.valueOf(50), BigInteger.ONE,
                    BigInteger.valueOf(8));
            assertThat(snapshots).extracting(List::size).containsExactly(1, 2);
        } finally {
            w.close();
        }
    }

    @Test
    void aClosedWatchDeliversNothingMore() throws Exception {
        Deque<Supplier<BlockingWatch.Page>> steps = new ArrayDeque<>();
        steps.add(page(1, 1));
        BlockingWatch w = BlockingWatch.start("s in dc1", script(steps), listener, executor);
        await().atMost(Duration.ofSeconds(10)).until(() -> snapshots.size() == 1);
        w.close();
        synchronized (steps) {
            steps.add(page(2, 2));
        }
        Thread.sleep(300);
        assertThat(snapshots).hasSize(1);
        assertThat(errors).isEmpty();
    }
}

package io.hotline.rpc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.ServerBusy;
import io.hotline.rpc.Target;
import io.hotline.rpc.server.testing.RpcFleet;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.pause.PauseDetector;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client's side of a busy server: how many connections it opens to one server, what a call waiting in the client
 * for one of them sees, and how it honours a 503's Retry-After.
 */
class ClientLimitsTest {

    private static final Target TARGET = Target.topic("conductor").exchange("nova");
    private static final Duration BOUND = Duration.ofSeconds(30);

    private final RpcFleet fleet = RpcFleet.inMemory();
    private final EndpointStore store = fleet.store();

    @AfterEach
    void closeAll() throws Exception {
        fleet.close();
    }

    /** Jetty's default, left as it was, let one client run only 64 calls on a server that runs 1,000. */
    @Test
    void byDefaultOneClientCanRunMoreCallsOnAServerThanJettysSixtyFour() throws Exception {
        int calls = 100;
        TestApi api = new TestApi("wide");
        start(RpcServer.builder(store).target(TARGET).endpoint(api));
        RpcClient client = open(RpcClient.builder(store));
        List<CompletableFuture<String>> running = new ArrayList<>();
        try {
            for (int i = 0; i < calls; i++) {
                // Longer than the wait below: with 64 connections the rest would run only once the first time out.
                running.add(client.prepare(TARGET).timeout(BOUND.multipliedBy(2)).callAsync("hold", Map.of(),
                        String.class));
            }
            await("all " + calls + " calls running on the server").atMost(BOUND)
                    .until(() -> api.holders.get() == calls);
        } finally {
            api.release.countDown();
        }
        for (CompletableFuture<String> call : running) {
            assertThat(call.get(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo("released");
        }
    }

    /**
     * With the limit set to 2, calls beyond it wait in the client; their wait counts against their timeout, and one
     * that waits it out is reported never sent (ServerBusy, nothing ran) rather than a MessagingTimeout.
     */
    @Test
    void callsBeyondTheConfiguredLimitWaitInTheClientAndTimeOutNeverSent() throws Exception {
        TestApi api = new TestApi("narrow");
        start(RpcServer.builder(store).target(TARGET).endpoint(api));
        RpcClient client = open(RpcClient.builder(store).config(HotlineConfig.of(Map.of(
                RpcClient.MAX_CONNECTIONS_PER_SERVER, "2"))));
        List<CompletableFuture<String>> holders = new ArrayList<>();
        Duration queuedTimeout = Duration.ofMillis(500);
        try {
            for (int i = 0; i < 2; i++) {
                holders.add(client.prepare(TARGET).timeout(BOUND).callAsync("hold", Map.of(), String.class));
            }
            await("both connections held").atMost(BOUND).until(() -> api.holders.get() == 2);

            List<CompletableFuture<String>> queued = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < 3; i++) {
                queued.add(client.prepare(TARGET).timeout(queuedTimeout).callAsync("hold", Map.of(), String.class));
            }
            for (CompletableFuture<String> call : queued) {
                assertThatThrownBy(() -> call.get(BOUND.toSeconds(), TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ServerBusy.class)
                        .hasMessageContaining("was never sent").hasMessageContaining("all 2 this client opens")
                        .hasMessageContaining(RpcClient.MAX_CONNECTIONS_PER_SERVER);
            }
            // They gave up at their own timeout, not after the held calls: the wait in the client counted.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(queuedTimeout.multipliedBy(6));
            assertThat(holders).noneMatch(CompletableFuture::isDone);
        } finally {
            api.release.countDown();
        }
        for (CompletableFuture<String> call : holders) {
            assertThat(call.get(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo("released");
        }
        assertThat(client.prepare(TARGET).call("echo", Map.of("text", "after"), String.class)).isEqualTo("after");
        assertThat(api.holders.get()).as("calls that reached the server").isEqualTo(2);
    }

    @Test
    void theLimitIsValidatedStrictly() {
        for (String bad : List.of("0", "-3", "many")) {
            assertThatThrownBy(() -> RpcClient.builder(store).config(HotlineConfig.of(Map.of(
                    RpcClient.MAX_CONNECTIONS_PER_SERVER, bad))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(RpcClient.MAX_CONNECTIONS_PER_SERVER);
        }
        assertThatThrownBy(() -> RpcClient.builder(store).maxConnectionsPerServer(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be positive");
    }

    /**
     * The only server runs its one call slot's call and answers the rest 503 with Retry-After: 1. The client sends
     * again only after that second each time, and gives up with ServerBusy saying when to retry.
     */
    @Test
    void aServerThatSaidBusyIsNotSentTheCallAgainBeforeItsRetryAfter() throws Exception {
        TestApi api = new TestApi("busy");
        RefusalClock refusals = new RefusalClock();
        start(RpcServer.builder(store).target(TARGET).endpoint(api).maxConcurrentCalls(1).meterRegistry(refusals));
        RpcClient client = open(RpcClient.builder(store));
        try {
            CompletableFuture<String> holder = client.prepare(TARGET).timeout(BOUND).callAsync("hold", Map.of(),
                    String.class);
            await("the call slot held").atMost(BOUND).until(() -> api.holders.get() == 1);

            assertThatThrownBy(() -> client.prepare(TARGET).timeout(Duration.ofSeconds(10))
                    .call("add", Map.of("a", 1, "b", 2), Integer.class))
                    .isInstanceOf(ServerBusy.class).hasMessageContaining("asked to be sent it again after 1000 ms")
                    .satisfies(e -> assertThat(((ServerBusy) e).retryAfter()).contains(Duration.ofSeconds(1)));
            // The server counts a refusal before it answers, and the client sends again a Retry-After after the
            // answer arrived: so each refusal comes at least a second after the one before, exactly.
            List<Long> at = refusals.times;
            assertThat(at).hasSize(3);
            assertThat(Duration.ofNanos(at.get(1) - at.get(0))).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
            assertThat(Duration.ofNanos(at.get(2) - at.get(1))).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
            assertThat(holder).isNotDone();
        } finally {
            api.release.countDown();
        }
    }

    /** When waiting out Retry-After would pass the call's timeout, the call fails at once, saying when to retry. */
    @Test
    void aRetryAfterBeyondTheTimeoutFailsTheCallWithServerBusyAtOnce() throws Exception {
        TestApi api = new TestApi("busy");
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        start(RpcServer.builder(store).target(TARGET).endpoint(api).maxConcurrentCalls(1).meterRegistry(meters));
        RpcClient client = open(RpcClient.builder(store));
        try {
            client.prepare(TARGET).timeout(BOUND).callAsync("hold", Map.of(), String.class);
            await("the call slot held").atMost(BOUND).until(() -> api.holders.get() == 1);

            long start = System.nanoTime();
            assertThatThrownBy(() -> client.prepare(TARGET).timeout(Duration.ofMillis(700))
                    .call("add", Map.of("a", 1, "b", 2), Integer.class))
                    .isInstanceOf(ServerBusy.class).hasMessageContaining("every server tried")
                    .hasMessageContaining("nothing ran")
                    .satisfies(e -> assertThat(((ServerBusy) e).retryAfter()).isPresent());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(700));
            assertThat(refusals(meters)).isEqualTo(1);
        } finally {
            api.release.countDown();
        }
    }

    /** Another server that is not busy is tried at once, without waiting for the busy one's Retry-After. */
    @Test
    void anotherServerIsTriedAtOnceWhenOneSaysBusy() throws Exception {
        TestApi busyApi = new TestApi("busy");
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        start(RpcServer.builder(store).target(TARGET.server("busy")).endpoint(busyApi).maxConcurrentCalls(1)
                .meterRegistry(meters));
        start(RpcServer.builder(store).target(TARGET.server("free")).endpoint(new TestApi("free")));
        RpcClient client = open(RpcClient.builder(store));
        try {
            client.prepare(TARGET.server("busy")).timeout(BOUND).callAsync("hold", Map.of(), String.class);
            await("the busy server's call slot held").atMost(BOUND).until(() -> busyApi.holders.get() == 1);
            // Each call picks one of the two at random; 20 make it all but certain (1 - 2^-20) that some went to the
            // busy one first.
            for (int i = 0; i < 20; i++) {
                long start = System.nanoTime();
                assertThat(client.prepare(TARGET).call("server", Map.of(), String.class)).isEqualTo("free");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(900));
            }
            assertThat(refusals(meters)).isPositive();
        } finally {
            busyApi.release.countDown();
        }
    }

    /** The server's meters, noting when each ServerBusy refusal was counted ({@link System#nanoTime()}). */
    private static final class RefusalClock extends PrometheusMeterRegistry {
        final List<Long> times = new CopyOnWriteArrayList<>();

        RefusalClock() {
            super(PrometheusConfig.DEFAULT);
        }

        @Override
        protected Timer newTimer(Meter.Id id, DistributionStatisticConfig config, PauseDetector pauses) {
            Timer timer = super.newTimer(id, config, pauses);
            if (!"ServerBusy".equals(id.getTag("outcome"))) {
                return timer;
            }
            return new Timer() {
                @Override
                public void record(long amount, TimeUnit unit) {
                    times.add(System.nanoTime());
                    timer.record(amount, unit);
                }

                @Override
                public <T> T record(Supplier<T> f) {
                    return timer.record(f);
                }

                @Override
                public <T> T recordCallable(Callable<T> f) throws Exception {
                    return timer.recordCallable(f);
                }

                @Override
                public void record(Runnable f) {
                    timer.record(f);
                }

                @Override
                public long count() {
                    return timer.count();
                }

                @Override
                public double totalTime(TimeUnit unit) {
                    return timer.totalTime(unit);
                }

                @Override
                public double max(TimeUnit unit) {
                    return timer.max(unit);
                }

                @Override
                public TimeUnit baseTimeUnit() {
                    return timer.baseTimeUnit();
                }

                @Override
                public HistogramSnapshot takeSnapshot() {
                    return timer.takeSnapshot();
                }

                @Override
                public Meter.Id getId() {
                    return timer.getId();
                }
            };
        }
    }

    private static double refusals(PrometheusMeterRegistry meters) {
        return meters.find("hotline.rpc.server.requests").tag("outcome", "ServerBusy").timers().stream()
                .mapToDouble(t -> t.count()).sum();
    }

    private RpcServer start(RpcServer.Builder builder) {
        return fleet.start(builder.drainDelay(Duration.ZERO).gracePeriod(Duration.ofSeconds(5)));
    }

    private RpcClient open(RpcClient.Builder builder) {
        return fleet.client(builder);
    }
}

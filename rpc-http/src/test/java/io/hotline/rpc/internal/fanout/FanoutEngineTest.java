package io.hotline.rpc.internal.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hotline.discovery.Directory;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Query;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.ZoneScope;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.FanoutReport;
import io.hotline.rpc.FanoutReport.Delivery;
import io.hotline.rpc.FanoutReport.Outcome;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.RpcException;
import io.hotline.rpc.Target;
import io.hotline.testing.Closer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fanout engine against hand-made servers that misbehave on cue, and the client's own fanout against them: what is
 * retried, what is not, and the same report either way. The client's fanout against real servers is in
 * rpc-http-server's {@code ClientFanoutTest}.
 */
class FanoutEngineTest {

    private static final Target TARGET = Target.topic("compute").exchange("nova");
    private static final String CAST = "{\"kind\":\"cast\",\"method\":\"record\",\"args\":{\"event\":\"x\"}}";

    private final Closer closer = new Closer();
    private final HotlineConfig config = HotlineConfig.of(Map.of("hotline.store", "memory",
            "hotline.memory.space", "engine-" + UUID.randomUUID(), "hotline.memory.poll-interval", "20ms"));
    private EndpointStore store;
    private HttpClient http;

    @BeforeEach
    void open() throws Exception {
        store = track(StoreProviders.load().open(config));
        http = new HttpClient();
        http.start();
        closer.track(http::stop);
    }

    @AfterEach
    void closeAll() throws Exception {
        closer.close();
    }

    private <T extends AutoCloseable> T track(T c) {
        return closer.track(c);
    }

    private void register(String id, int port) {
        store.register(Endpoint.builder(TARGET.service()).id(id).server(id).host("127.0.0.1").port(port).build(),
                HealthPolicy.DEFAULT);
    }

    private FanoutReport fanout(FanoutEngine.Observer observer) throws Exception {
        Directory directory = track(Directory.builder(store).build());
        FanoutEngine engine = new FanoutEngine(directory, http, FanoutEngine.Settings.DEFAULT, observer, null);
        return engine.start(new FanoutEngine.Order(TARGET.service(), "m-1", CAST.getBytes(StandardCharsets.UTF_8),
                List.of(ZoneScope.home()), null, null)).done().get(30, TimeUnit.SECONDS);
    }

    @Test
    void aRefusedTargetIsTriedOnceMoreAndGetsTheCastOnTheRetry() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        register("restarting", port);
        AtomicInteger retries = new AtomicInteger();
        List<FakeServer> started = Collections.synchronizedList(new ArrayList<>());
        FanoutReport report = fanout(new FanoutEngine.Observer() {
            @Override
            public void retrying(Endpoint endpoint) {
                retries.incrementAndGet();
                // The server comes up between the refusal and the retry, as after a restart.
                try {
                    started.add(track(new FakeServer(port, true)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });

        assertThat(retries).hasValue(1);
        assertThat(report.results()).singleElement().satisfies(d -> {
            assertThat(d.outcome()).isEqualTo(Outcome.DELIVERED);
            assertThat(d.status()).isEqualTo(202);
        });
        assertThat(started).singleElement().satisfies(s -> assertThat(s.requests).hasValue(1));
    }

    @Test
    void aTargetThatMayHaveReceivedTheCastIsNotTriedAgain() throws Exception {
        FakeServer hangsUp = track(new FakeServer(0, false));
        register("hangs-up", hangsUp.socket.getLocalPort());
        AtomicInteger retries = new AtomicInteger();
        FanoutReport report = fanout(new FanoutEngine.Observer() {
            @Override
            public void retrying(Endpoint endpoint) {
                retries.incrementAndGet();
            }
        });

        Delivery d = report.results().get(0);
        assertThat(d.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(d.reason()).contains("broke");
        assertThat(report.failed()).isEqualTo(1);
        // The report comes after the last attempt, so this count is final.
        assertThat(hangsUp.requests).hasValue(1);
        assertThat(retries).hasValue(0);
    }

    @Test
    void aCastBodyThatIsNotAJsonObjectIsRefusedBeforeAnythingIsCounted() throws Exception {
        FakeServer server = track(new FakeServer(0, true));
        register("only", server.socket.getLocalPort());
        Directory directory = track(Directory.builder(store).build());
        // Room for one target: a refused start that still counted its target would make the next one busy.
        FanoutEngine engine = new FanoutEngine(directory, http, new FanoutEngine.Settings(4, Duration.ofSeconds(5), 1,
                500, 4, Duration.ofSeconds(60)), FanoutEngine.Observer.NONE, null);
        for (String bad : List.of("[1,2]", "\"cast\"", "{\"kind\":", "")) {
            assertThatThrownBy(() -> engine.start(new FanoutEngine.Order(TARGET.service(), "m-bad",
                    bad.getBytes(StandardCharsets.UTF_8), List.of(ZoneScope.home()), null, null)))
                    .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a JSON object");
        }
        assertThat(engine.awaitActive(Duration.ofSeconds(1))).isZero();

        FanoutReport report = engine.start(new FanoutEngine.Order(TARGET.service(), "m-good",
                CAST.getBytes(StandardCharsets.UTF_8), List.of(ZoneScope.home()), null, null)).done()
                .get(30, TimeUnit.SECONDS);
        assertThat(report.delivered()).isEqualTo(1);
        assertThat(server.requests).hasValue(1);
    }

    @Test
    void aLongQueueAgainstAStoppedClientEndsWithEveryTargetFailedNotAStackOverflow() throws Exception {
        int targets = 20_000;
        for (int i = 0; i < targets; i++) {
            register(String.format(Locale.ROOT, "s-%05d", i), 9);
        }
        Directory directory = track(Directory.builder(store).build());
        await().atMost(Duration.ofSeconds(30)).until(() -> directory.resolve(
                Query.of(TARGET.service()).home()).endpoints().size() == targets);
        HttpClient stopped = new HttpClient();
        stopped.start();
        stopped.stop();
        FanoutEngine engine = new FanoutEngine(directory, stopped, new FanoutEngine.Settings(1, Duration.ofSeconds(5),
                100_000, 100_000, 4, Duration.ofSeconds(60)), FanoutEngine.Observer.NONE, null);
        // A small stack, as a Jetty or pool thread may have: a send that fails at once must not recurse per target.
        CompletableFuture<FanoutReport> report = new CompletableFuture<>();
        Thread starter = new Thread(null, () -> {
            try {
                report.complete(engine.start(new FanoutEngine.Order(TARGET.service(), "m-stopped",
                        CAST.getBytes(StandardCharsets.UTF_8), List.of(ZoneScope.home()), null, null)).done().join());
            } catch (Throwable t) {
                report.completeExceptionally(t);
            }
        }, "small-stack", 256 * 1024);
        starter.start();

        FanoutReport r = report.get(60, TimeUnit.SECONDS);
        assertThat(r.targeted()).isEqualTo(targets);
        assertThat(r.failed()).isEqualTo(targets);
        assertThat(r.results()).hasSize(targets).allSatisfy(d -> assertThat(d.outcome()).isEqualTo(Outcome.ERROR));
    }

    @Test
    void closingAClientWaitsForItsOwnFanoutsToReachEveryServer() throws Exception {
        // Slow to accept, and more servers than the engine sends to at once: most casts are queued at close.
        SlowServer slow = track(new SlowServer(Duration.ofMillis(300)));
        int servers = FanoutEngine.Settings.DEFAULT.maxConcurrent() + 36;
        for (int i = 0; i < servers; i++) {
            register("slow-" + i, slow.socket.getLocalPort());
        }
        RpcClient client = RpcClient.builder(store).config(config.with(RpcClient.FANOUT_FALLBACK, "true")).build();
        client.prepare(TARGET.asFanout()).cast("record", Map.of("event", "x"));
        client.close();

        assertThat(slow.answered).hasValue(servers);
    }

    @Test
    void aBroadcasterThatHangsUpAfterReadingAFanoutSaysTheFanoutBrokeAndServersMayHaveIt() throws Exception {
        FakeServer dies = track(new FakeServer(0, false));
        store.register(Endpoint.builder(RpcClient.BROADCASTER_SERVICE).id("dies").host("127.0.0.1")
                .port(dies.socket.getLocalPort()).build(), HealthPolicy.DEFAULT);
        RpcClient client = track(RpcClient.builder(store).build());

        assertThatThrownBy(() -> client.prepare(TARGET.asFanout()).fanoutWithReport("record", Map.of()))
                .isInstanceOf(RpcException.class)
                .hasMessageContaining("the fanout cast " + TARGET.service() + ".record broke mid-way")
                .hasMessageContaining("servers of " + TARGET.service() + " may already have received it")
                .hasMessageContaining("not sent again");
        assertThatThrownBy(() -> client.prepare(TARGET.asFanout()).cast("record", Map.of()))
                .hasMessageContaining("broke mid-way");
        // Read in full each time, and not sent again: the broadcaster may have started it.
        assertThat(dies.requests).hasValue(2);
    }

    @Test
    void aServerThatHangsUpAfterReadingACastSaysItMayHaveIt() throws Exception {
        FakeServer dies = track(new FakeServer(0, false));
        register("dies", dies.socket.getLocalPort());
        RpcClient client = track(RpcClient.builder(store).build());

        assertThatThrownBy(() -> client.prepare(TARGET).cast("record", Map.of()))
                .isInstanceOf(RpcException.class)
                .hasMessageContaining("the connection broke after cast " + TARGET.service() + ".record to")
                .hasMessageContaining("the server may already have received it");
        assertThat(dies.requests).hasValue(1);
    }

    /** Answers each request 202 after {@code delay}, a connection per thread; counts the answers it sent. */
    private static final class SlowServer implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 500, InetAddress.getLoopbackAddress());
        final AtomicInteger answered = new AtomicInteger();

        SlowServer(Duration delay) throws IOException {
            Thread t = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket s = socket.accept();
                        Thread handler = new Thread(() -> {
                            try (s) {
                                FakeServer.readRequest(s.getInputStream());
                                Thread.sleep(delay.toMillis());
                                s.getOutputStream().write(("HTTP/1.1 202 Accepted\r\nContent-Type: application/json"
                                        + "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
                                        .getBytes(StandardCharsets.US_ASCII));
                                s.getOutputStream().flush();
                                answered.incrementAndGet();
                            } catch (IOException | InterruptedException e) {
                                // the client gave up on this one; it is not counted
                            }
                        }, "slow-server-connection");
                        handler.setDaemon(true);
                        handler.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "slow-server");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Reads each request on loopback {@code port}; answers 202, or hangs up without a word. */
    private static final class FakeServer implements AutoCloseable {
        final ServerSocket socket;
        final AtomicInteger requests = new AtomicInteger();

        FakeServer(int port, boolean answer) throws IOException {
            socket = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        readRequest(s.getInputStream());
                        requests.incrementAndGet();
                        if (answer) {
                            s.getOutputStream().write(("HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n"
                                    + "Content-Length: 2\r\nConnection: close\r\n\r\n{}")
                                    .getBytes(StandardCharsets.US_ASCII));
                        }
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "fake-server");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }

        private static void readRequest(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    throw new IOException("the request ended early: " + head);
                }
                head.append((char) c);
            }
            for (String line : head.toString().split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    in.readNBytes(Integer.parseInt(line.substring("content-length:".length()).strip()));
                }
            }
        }
    }
}

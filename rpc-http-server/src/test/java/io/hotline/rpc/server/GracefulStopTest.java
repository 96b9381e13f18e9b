package io.hotline.rpc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.Target;
import io.hotline.testing.CapturedStderr;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A 202 promises that the cast runs: a graceful stop runs every cast it accepted, whatever the backlog, and refuses
 * what arrives meanwhile as ServerBusy, so that it goes to another server.
 */
class GracefulStopTest {

    private static final Target TARGET = Target.topic("notes").exchange("t");

    private final HttpClient raw = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private EndpointStore store;

    @BeforeEach
    void open() {
        store = StoreProviders.load().open(HotlineConfig.of(Map.of("hotline.store", "memory",
                "hotline.memory.space", "stop-" + UUID.randomUUID())));
    }

    @AfterEach
    void close() {
        store.close();
    }

    /**
     * Methods that record the id they ran with; {@code slow} takes 50 ms, {@code held} waits for a release, and the
     * call {@code hold} too.
     */
    public static final class Notes {
        final Set<String> ran = ConcurrentHashMap.newKeySet();
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch holding = new CountDownLatch(1);

        public String hold() throws InterruptedException {
            holding.countDown();
            return release.await(60, TimeUnit.SECONDS) ? "released" : "gave up";
        }

        public void slow(String id) throws InterruptedException {
            Thread.sleep(50);
            ran.add(id);
        }

        public void held(String id) throws InterruptedException {
            release.await();
            ran.add(id);
        }
    }

    private CompletableFuture<HttpResponse<String>> cast(RpcServer server, String method, String id) {
        String body = "{\"kind\":\"cast\",\"method\":\"" + method + "\",\"msg_id\":\"" + id + "\",\"args\":{\"id\":\""
                + id + "\"}}";
        return raw.sendAsync(HttpRequest.newBuilder(URI.create(server.endpoint().baseUri() + "/v1/rpc/"
                        + TARGET.service())).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aStopRunsEveryCastItAnswered202AndTheQueueRefusesWhatItCouldNotRunWithinTheGracePeriod() throws Exception {
        Notes notes = new Notes();
        // Two threads and 50 ms a cast: about 40 casts fit in the 1 s grace period, the count bound is far off.
        RpcServer server = RpcServer.builder(store).target(TARGET).endpoint(notes).castExecution(2, 10_000)
                .gracePeriod(Duration.ofSeconds(1)).drainDelay(Duration.ZERO).start();
        List<String> accepted = new ArrayList<>();
        List<String> refusals = new ArrayList<>();
        try {
            int sent = 400;
            List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
            for (int i = 0; i < sent; i++) {
                replies.add(cast(server, "slow", "cast-" + i));
            }
            for (int i = 0; i < sent; i++) {
                HttpResponse<String> reply = replies.get(i).get(60, TimeUnit.SECONDS);
                if (reply.statusCode() == 202) {
                    accepted.add("cast-" + i);
                } else {
                    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(503);
                    assertThat(reply.headers().firstValue("Retry-After")).isPresent();
                    refusals.add(reply.body());
                }
            }
        } finally {
            server.close();
        }

        // Nothing refused ran, and everything accepted did: counted by id.
        assertThat(notes.ran).containsExactlyInAnyOrderElementsOf(accepted);
        assertThat(refusals).as("casts beyond what the grace period can run are refused").isNotEmpty()
                .anySatisfy(body -> assertThat(body).contains("ServerBusy").contains("a stop gives them"));
    }

    @Test
    void castsThatOutlastTheDrainLimitAreEachLoggedNeverDroppedSilently() throws Exception {
        Notes notes = new Notes();
        RpcServer server = RpcServer.builder(store).target(TARGET).endpoint(notes).castExecution(1, 10)
                .gracePeriod(Duration.ofSeconds(2)).castDrainLimit(Duration.ofMillis(2500))
                .drainDelay(Duration.ZERO).start();
        try (CapturedStderr log = CapturedStderr.start()) {
            assertThat(cast(server, "held", "running-1").get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(202);
            assertThat(cast(server, "held", "queued-1").get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(202);
            server.close();

            assertThat(log.text())
                    .contains("2 casts of " + TARGET.service() + " are still to run after the PT2S grace period")
                    .contains("cast held of " + TARGET.service() + " (msg_id running-1) was accepted and interrupted")
                    .contains("cast held of " + TARGET.service() + " (msg_id queued-1) was accepted and not run");
        } finally {
            notes.release.countDown();
        }
    }

    @Test
    void aRequestArrivingWhileTheServerStopsIsServerBusyWithRetryAfter() throws Exception {
        Notes notes = new Notes();
        RpcServer server = RpcServer.builder(store).target(TARGET).endpoint(notes).drainDelay(Duration.ZERO)
                .gracePeriod(Duration.ofSeconds(30)).start();
        // Its own client, so that the connection it keeps open is not the one the held call takes.
        HttpClient prober = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create(server.endpoint().baseUri() + "/healthz"))
                .timeout(Duration.ofSeconds(30)).build();
        assertThat(prober.send(health, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        CompletableFuture<HttpResponse<String>> held = raw.sendAsync(HttpRequest.newBuilder(URI.create(
                        server.endpoint().baseUri() + "/v1/rpc/" + TARGET.service()))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString("{\"kind\":\"call\",\"method\":\"hold\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(notes.holding.await(30, TimeUnit.SECONDS)).isTrue();
        Thread stopping = new Thread(server::close, "stopping");
        stopping.start();
        try {
            // The stop waits for the held call; meanwhile a request on the open connection is refused.
            HttpResponse<String> refused = await().atMost(Duration.ofSeconds(30)).until(
                    () -> prober.send(health, HttpResponse.BodyHandlers.ofString()), r -> r.statusCode() != 200);
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).contains("1");
            assertThat(refused.body()).contains("ServerBusy").contains("the server is stopping");
        } finally {
            notes.release.countDown();
            stopping.join(60_000);
        }
        assertThat(held.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
}

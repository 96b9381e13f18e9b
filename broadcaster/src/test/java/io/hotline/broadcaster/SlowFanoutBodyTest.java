package io.hotline.broadcaster;

import static io.hotline.broadcaster.Fleet.AZ1;
import static io.hotline.broadcaster.Fleet.FANOUT;
import static io.hotline.broadcaster.Fleet.TARGET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hotline.discovery.config.HotlineConfig;
import io.hotline.rpc.FanoutReport;
import io.hotline.rpc.RpcClient;
import io.hotline.testing.SlowBodies;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The broadcaster reads bodies as the RPC server does: 300 clients holding part of a fanout's body (more than its 200
 * request threads) leave fanouts and {@code /healthz} answering, their fanouts run once the bodies are whole, and a
 * body that stays incomplete gets 408. {@code -Dhotline.test.slow-bodies=1000} holds 1,000, as {@code SlowBodyTest}'s
 * long run in rpc-http does.
 */
class SlowFanoutBodyTest {

    private static final int SLOW_CLIENTS = Integer.getInteger("hotline.test.slow-bodies", 300);
    private static final Duration PROMPT = Duration.ofSeconds(2);
    private static final int PROBES = 20;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(PROMPT).build();

    private final Fleet fleet = Fleet.inMemory();

    @AfterEach
    void close() throws Exception {
        fleet.close();
    }

    @Test
    void slowBodiesLeaveFanoutsAndHealthAnswering() throws Exception {
        Recorder recorder = fleet.server("a");
        Broadcaster broadcaster = fleet.track(fleet.broadcasterBuilder(AZ1)
                .config(HotlineConfig.of(Map.of("hotline.http.body-timeout", "60s"))).start());
        RpcClient client = fleet.client();
        assertThat(fanout(client, "warm-up").delivered()).isEqualTo(1);

        byte[] body = castBody(1000);
        try (SlowBodies slow = SlowBodies.open(broadcaster.port(), "/v1/fanout/" + TARGET.service(), body,
                body.length / 2, SLOW_CLIENTS, Duration.ofSeconds(30))) {
            List<Double> fanouts = new ArrayList<>();
            List<Double> checks = new ArrayList<>();
            for (int i = 0; i < PROBES; i++) {
                long start = System.nanoTime();
                assertThat(fanout(client, "probe-" + i).delivered()).isEqualTo(1);
                fanouts.add((System.nanoTime() - start) / 1e6);
                start = System.nanoTime();
                HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + broadcaster.port() + "/healthz")).timeout(PROMPT).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
                checks.add((System.nanoTime() - start) / 1e6);
            }
            Collections.sort(fanouts);
            Collections.sort(checks);
            System.out.printf("%d slow fanout bodies held: fanout with report p50 %.2f ms, max %.2f ms;"
                    + " /healthz p50 %.2f ms, max %.2f ms%n", slow.count(), fanouts.get(PROBES / 2),
                    fanouts.get(PROBES - 1), checks.get(PROBES / 2), checks.get(PROBES - 1));
            assertThat(fanouts.get(PROBES - 1)).isLessThan(PROMPT.toMillis());
            assertThat(checks.get(PROBES - 1)).isLessThan(PROMPT.toMillis());

            List<SlowBodies.Reply> replies = slow.complete();
            assertThat(replies).hasSize(SLOW_CLIENTS)
                    .allSatisfy(reply -> assertThat(reply.status()).as(reply.body()).isEqualTo(202));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> Fleet.count(recorder, "slow") == SLOW_CLIENTS);
        }
    }

    @Test
    void aBodyThatStaysIncompleteGets408() throws Exception {
        fleet.server("a");
        Broadcaster broadcaster = fleet.track(fleet.broadcasterBuilder(AZ1)
                .config(HotlineConfig.of(Map.of("hotline.http.body-timeout", "500ms"))).start());
        byte[] body = castBody(1000);
        try (SlowBodies slow = SlowBodies.open(broadcaster.port(), "/v1/fanout/" + TARGET.service(), body, 100, 1,
                Duration.ofSeconds(10))) {
            SlowBodies.Reply reply = slow.replies().get(0);
            assertThat(reply.status()).as(reply.body()).isEqualTo(408);
            assertThat(reply.headers()).containsEntry("connection", "close");
            assertThat(reply.body()).contains("\"type\":\"InvalidRequest\"", "hotline.http.body-timeout");
            assertThat(slow.closedByServer()).isTrue();
        }
    }

    private static FanoutReport fanout(RpcClient client, String event) {
        return client.prepare(FANOUT).fanoutWithReport("record", Map.of("event", event));
    }

    /** A cast of {@code record("slow")} whose JSON is exactly {@code length} bytes (padded with spaces). */
    private static byte[] castBody(int length) {
        String cast = "{\"kind\":\"cast\",\"method\":\"record\",\"args\":{\"event\":\"slow\"}}";
        return (cast + " ".repeat(length - cast.length())).getBytes(StandardCharsets.UTF_8);
    }
}

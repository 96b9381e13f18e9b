package io.hotline.rpc.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.Target;
import io.hotline.rpc.internal.wire.Wire;
import io.hotline.rpc.server.testing.RpcFleet;
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
 * Clients that send part of a body and hold their connections take no request thread: calls and {@code /healthz}
 * keep answering within their normal latency, the held bodies are served once whole, and a body that stays
 * incomplete gets 408 and its connection closed.
 *
 * <p>300 slow clients are more than the server's 200 request threads. The long run holds 1,000:
 * {@code mvn -o -B -pl rpc-http -am verify -Dtest=SlowBodyTest -Dhotline.test.slow-bodies=1000
 * -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=NONE -Dfailsafe.failIfNoSpecifiedTests=false}
 * (each connection takes a file descriptor in the test and one in the server: check {@code ulimit -n}).
 */
class SlowBodyTest {

    private static final Target TARGET = Target.topic("conductor").exchange("nova");
    private static final String RPC = "/v1/rpc/" + TARGET.service();
    private static final int SLOW_CLIENTS = Integer.getInteger("hotline.test.slow-bodies", 300);
    /** Far above a call's latency here, even on a loaded machine, and far below listen-timeout's 60 s. */
    private static final Duration PROMPT = Duration.ofSeconds(2);
    private static final int PROBES = 20;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(PROMPT).build();

    private final RpcFleet fleet = RpcFleet.inMemory();
    private EndpointStore store;

    @AfterEach
    void closeAll() throws Exception {
        fleet.close();
    }

    @Test
    void slowBodiesLeaveCallsAndHealthAnswering() throws Exception {
        // The deadline is far away here: this test holds the bodies, the next one lets the deadline end them.
        RpcServer server = server(Map.of("hotline.http.body-timeout", "60s"));
        RpcClient client = client();
        Latencies before = probe(server, client);

        byte[] body = callBody(1000);
        try (SlowBodies slow = SlowBodies.open(server.port(), RPC, body, body.length / 2, SLOW_CLIENTS,
                Duration.ofSeconds(30))) {
            Latencies held = probe(server, client);
            System.out.printf("%d slow bodies held: call p50 %.2f ms, max %.2f ms; /healthz p50 %.2f ms, max %.2f ms"
                    + " (before: call p50 %.2f ms, /healthz p50 %.2f ms)%n", slow.count(), held.callP50(),
                    held.callMax(), held.healthP50(), held.healthMax(), before.callP50(), before.healthP50());
            assertThat(held.callMax()).isLessThan(PROMPT.toMillis());
            assertThat(held.healthMax()).isLessThan(PROMPT.toMillis());

            // Every held body is served once its rest arrives, so none was dropped.
            List<SlowBodies.Reply> replies = slow.complete();
            assertThat(replies).hasSize(SLOW_CLIENTS).allSatisfy(reply -> {
                assertThat(reply.status()).as(reply.body()).isEqualTo(200);
                assertThat(reply.body()).startsWith("{\"result\":\"x");
            });
        }
    }

    @Test
    void aBodyThatStaysIncompleteGets408AndItsConnectionIsClosed() throws Exception {
        RpcServer server = server(Map.of("hotline.http.body-timeout", "500ms"));
        byte[] body = callBody(1000);
        try (SlowBodies slow = SlowBodies.open(server.port(), RPC, body, 100, 1, Duration.ofSeconds(10))) {
            SlowBodies.Reply reply = slow.replies().get(0);
            assertThat(reply.status()).as(reply.body()).isEqualTo(408);
            assertThat(reply.headers()).containsEntry("connection", "close");
            JsonNode error = Wire.MAPPER.readTree(reply.body()).get("error");
            assertThat(error.get("type").asText()).isEqualTo("InvalidRequest");
            assertThat(error.get("message").asText()).isEqualTo("the request body did not arrive in full within"
                    + " PT0.5S of the request's start (hotline.http.body-timeout); send the whole body without pausing");
            assertThat(slow.closedByServer()).isTrue();
        }
        // The server goes on serving.
        assertThat(client().prepare(TARGET).call("echo", Map.of("text", "after"), String.class))
                .isEqualTo("after");
    }

    private RpcServer server(Map<String, String> config) {
        store = fleet.store();
        return fleet.start(RpcServer.builder(store).target(TARGET.server("slow")).endpoint(new TestApi("slow"))
                .config(HotlineConfig.of(config)).drainDelay(Duration.ZERO));
    }

    private RpcClient client() {
        return fleet.client(RpcClient.builder(store).timeout(PROMPT));
    }

    /** A call of {@code echo} whose JSON is exactly {@code length} bytes. */
    private static byte[] callBody(int length) {
        String head = "{\"kind\":\"call\",\"method\":\"echo\",\"args\":{\"text\":\"";
        String tail = "\"}}";
        return (head + "x".repeat(length - head.length() - tail.length()) + tail).getBytes(StandardCharsets.UTF_8);
    }

    /** The milliseconds of {@value #PROBES} calls and {@value #PROBES} health checks, one at a time. */
    private static Latencies probe(RpcServer server, RpcClient client) throws Exception {
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/healthz"))
                .timeout(PROMPT).build();
        List<Double> calls = new ArrayList<>();
        List<Double> checks = new ArrayList<>();
        for (int i = 0; i < PROBES; i++) {
            long start = System.nanoTime();
            assertThat(client.prepare(TARGET).call("echo", Map.of("text", "p" + i), String.class)).isEqualTo("p" + i);
            calls.add((System.nanoTime() - start) / 1e6);
            start = System.nanoTime();
            assertThat(HTTP.send(health, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            checks.add((System.nanoTime() - start) / 1e6);
        }
        Collections.sort(calls);
        Collections.sort(checks);
        return new Latencies(calls.get(PROBES / 2), calls.get(PROBES - 1), checks.get(PROBES / 2),
                checks.get(PROBES - 1));
    }

    private record Latencies(double callP50, double callMax, double healthP50, double healthMax) {
    }
}

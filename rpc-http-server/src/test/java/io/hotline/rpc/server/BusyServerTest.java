package io.hotline.rpc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.Target;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Calls hold their request threads for as long as their methods run; health checks and metrics must still be
 * answered at once, or a store's HTTP check fails a server that is merely busy.
 */
class BusyServerTest {

    private static final Target TARGET = Target.topic("conductor").exchange("nova");
    /** More than the listener's 200 request threads, fewer than the 1,000 call slots. */
    private static final int HELD = 250;
    private static final Duration PROMPT = Duration.ofSeconds(2);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(PROMPT).build();

    @Test
    void healthAndMetricsAnswerWhileCallsHoldMoreThreadsThanTheListenerHas() throws Exception {
        TestApi api = new TestApi("busy");
        try (EndpointStore store = StoreProviders.load().open(HotlineConfig.of(Map.of("hotline.store", "memory",
                "hotline.memory.space", "busy-" + UUID.randomUUID())));
                RpcServer server = RpcServer.builder(store).target(TARGET).endpoint(api).drainDelay(Duration.ZERO)
                        .start()) {
            String base = "http://127.0.0.1:" + server.port();
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            try {
                for (int i = 0; i < HELD; i++) {
                    calls.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(base + "/v1/rpc/" + TARGET.service()))
                            .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                            .POST(HttpRequest.BodyPublishers.ofString("{\"kind\": \"call\", \"method\": \"hold\"}"))
                            .build(), HttpResponse.BodyHandlers.ofString()));
                }
                await("all " + HELD + " calls running").atMost(Duration.ofSeconds(30))
                        .until(() -> api.holders.get() == HELD);

                for (String path : List.of("/healthz", "/metrics")) {
                    long start = System.nanoTime();
                    HttpResponse<String> reply = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                            .timeout(PROMPT).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(reply.statusCode()).as(path).isEqualTo(200);
                    assertThat(Duration.ofNanos(System.nanoTime() - start)).as(path).isLessThan(PROMPT);
                }
            } finally {
                api.release.countDown();
            }
            for (CompletableFuture<HttpResponse<String>> call : calls) {
                HttpResponse<String> reply = call.get();
                assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
                assertThat(reply.body()).isEqualTo("{\"result\":\"released\"}");
            }
        }
    }
}

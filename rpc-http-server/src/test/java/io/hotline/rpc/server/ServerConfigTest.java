package io.hotline.rpc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.Target;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What operators tune by configuration: the call limit, the cast threads and queue, the heartbeat, the stop. */
class ServerConfigTest {

    private static final Target TARGET = Target.topic("tuned").exchange("t");

    @TempDir
    Path dir;

    private final HttpClient raw = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private HotlineConfig config(Map<String, String> keys) {
        return HotlineConfig.of(keys).with("hotline.store", "file").with("hotline.file.dir", dir.toString());
    }

    private CompletableFuture<HttpResponse<String>> post(RpcServer server, String kind, String method) {
        return raw.sendAsync(HttpRequest.newBuilder(URI.create(server.endpoint().baseUri() + "/v1/rpc/"
                        + TARGET.service())).header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"kind\":\"" + kind + "\",\"method\":\"" + method + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theServerHonoursTheCallLimitTheCastThreadsAndQueueAndTheHeartbeat() throws Exception {
        HotlineConfig config = config(Map.of("hotline.rpc.max-concurrent-calls", "1", "hotline.rpc.cast-threads", "1",
                "hotline.rpc.cast-queue", "1", "hotline.health.report-interval", "300ms",
                "hotline.health.down-after", "4s", "hotline.http.drain-delay", "0s"));
        TestApi api = new TestApi("tuned");
        try (EndpointStore store = StoreProviders.load().open(config);
             RpcServer server = RpcServer.builder(store).target(TARGET).endpoint(api).config(config).start()) {
            // The file store keeps each registration's policy in its record.
            String record;
            try (Stream<Path> files = Files.walk(dir)) {
                List<Path> records = files.filter(p -> p.toString().endsWith(".json")).toList();
                assertThat(records).hasSize(1);
                record = Files.readString(records.get(0));
            }
            assertThat(record).contains("\"reportIntervalMs\" : 300").contains("\"downAfterMs\" : 4000");

            CompletableFuture<HttpResponse<String>> held = post(server, "call", "hold");
            assertThat(api.holding.await(30, TimeUnit.SECONDS)).isTrue();
            HttpResponse<String> secondCall = post(server, "call", "echo").get(30, TimeUnit.SECONDS);
            assertThat(secondCall.statusCode()).isEqualTo(503);
            assertThat(secondCall.body()).contains("as many calls as it may");

            // One cast runs (held too), one waits, the next finds the queue of one full.
            assertThat(post(server, "cast", "hold").get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(202);
            assertThat(post(server, "cast", "hold").get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(202);
            HttpResponse<String> thirdCast = post(server, "cast", "hold").get(30, TimeUnit.SECONDS);
            assertThat(thirdCast.statusCode()).isEqualTo(503);
            assertThat(thirdCast.body()).contains("the cast queue is full (1 casts waiting for 1 threads)");

            api.release.countDown();
            assertThat(held.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        } finally {
            api.release.countDown();
        }
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            hotline.rpc.max-concurrent-calls | 0     | must be a positive whole number
            hotline.rpc.max-concurrent-calls | lots  | is not a whole number
            hotline.rpc.cast-threads         | -2    | must be a positive whole number
            hotline.rpc.cast-threads         | 5000  | is more than 1000; each is a thread of its own: to take more casts at once, raise hotline.rpc.cast-queue instead
            hotline.rpc.cast-queue           | 0     | must be a positive whole number
            hotline.rpc.cast-queue           | 1e4   | is not a whole number
            hotline.http.grace-period        | 0s    | must be positive
            hotline.http.grace-period        | later | is not a duration
            hotline.rpc.cast-drain-limit     | 10s   | is shorter than the grace period PT30S
            hotline.health.report-interval   | 5ms   | is shorter than 10ms
            hotline.health.down-after        | 10s   | leaves down-after PT10S not longer than the report interval PT10S
            """)
    void aBadValueIsRefusedNamingTheKeyAndWhatItTakes(String key, String value, String problem) {
        HotlineConfig config = config(Map.of(key, value));
        try (EndpointStore store = StoreProviders.load().open(config)) {
            assertThatThrownBy(() -> RpcServer.builder(store).target(TARGET).config(config))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(key + " '" + value + "' (from given configuration) ")
                    .hasMessageContaining(problem);
        }
    }

    @Test
    void theCastDrainLimitMayNotBeShorterThanTheGracePeriodHoweverTheyAreSet() {
        HotlineConfig config = config(Map.of());
        try (EndpointStore store = StoreProviders.load().open(config)) {
            assertThatThrownBy(() -> RpcServer.builder(store).target(TARGET).endpoint(new TestApi("x"))
                    .gracePeriod(Duration.ofSeconds(10)).castDrainLimit(Duration.ofSeconds(5)).start())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("the cast drain limit PT5S is shorter than the grace period PT10S");
            // Unset, it follows a grace period longer than its default.
            RpcServer.builder(store).target(TARGET).config(config(Map.of("hotline.http.grace-period", "10m")));
        }
    }
}

package io.hotline.broadcaster;

import static io.hotline.broadcaster.Fleet.AZ1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.server.ListenerSettings;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.server.internal.http.HttpListener;
import io.hotline.rpc.server.testing.Tarpit;
import io.hotline.status.StatusPage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A status page over a fleet where most servers take the connection for {@code /metrics} and never answer: the JSON
 * still answers at once, and the live servers' figures appear.
 */
class StatusPageScrapeTest {

    private static final String TOKEN = "s3cret";
    private static final int STALLED = 120;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Fleet fleet = Fleet.inMemory();

    @AfterEach
    void closeAll() throws Exception {
        fleet.close();
    }

    @Test
    void stalledServersNeitherHoldTheJsonNorHideTheLiveServersFigures() throws Exception {
        fleet.server("live-1", AZ1, TOKEN);
        fleet.server("live-2", AZ1, TOKEN);
        Tarpit tarpit = fleet.tarpit();
        EndpointStore store = fleet.store(AZ1);
        // Distinct addresses, one stalling listener: 127.0.0.0/8 is all loopback.
        for (int i = 0; i < STALLED; i++) {
            store.register(Endpoint.builder(Fleet.TARGET.service()).id("stalled-" + i).server("stalled-" + i)
                    .host("127.0.0." + (2 + i)).port(tarpit.port()).zone(AZ1).build(), HealthPolicy.DEFAULT);
        }
        RpcClient client = fleet.client(TOKEN);
        for (int i = 0; i < 3; i++) {
            client.prepare(Fleet.TARGET.server("live-1")).call("record", Map.of("event", "call-" + i), Object.class);
        }
        StatusPage page = fleet.track(StatusPage.builder(store).services(List.of(Fleet.TARGET.service())).token(TOKEN)
                .refresh(Duration.ofMillis(200)).scrapeDeadline(Duration.ofSeconds(3)).build());
        HttpListener listener = fleet.track(HttpListener.start(ListenerSettings.DEFAULT, "status-test",
                page.handler()));
        String json = "http://127.0.0.1:" + listener.port() + "/api/status";

        // Scraping them one after another would take minutes (2 s each); each fetch must answer within 5 s.
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode s = get(json);
            JsonNode compute = s.get("services").get(0);
            assertThat(compute).as("%s", s).isNotNull();
            assertThat(compute.get("registered").asInt()).isEqualTo(STALLED + 2);
            assertThat(compute.get("calls").asLong()).as("%s", compute.get("calls")).isEqualTo(3);
            assertThat(s.get("notScraped").asInt()).isPositive();
            assertThat(s.get("ageMillis").asLong()).isNotNegative();
        });
        assertThat(tarpit.connections()).as("the stalled servers were asked").isPositive();
    }

    private static JsonNode get(String uri) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(5))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}

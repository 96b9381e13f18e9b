package io.hotline.broadcaster;

import static io.hotline.broadcaster.Fleet.AZ1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.rpc.RpcClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The status page a running broadcaster serves under {@code /status/}: RPC servers and the broadcaster over the memory
 * store, calls and a fanout through a real client, then the page, its script and its JSON over HTTP.
 */
class BroadcasterStatusTest {

    private static final String TOKEN = "s3cret";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final Fleet fleet = Fleet.inMemory();

    @AfterEach
    void closeAll() throws Exception {
        fleet.close();
    }

    @Test
    void theJsonShowsTheServicesFannedOutToWithHealthCallsAndThisBroadcastersOutcomes() throws Exception {
        fleet.server("host-1", AZ1, TOKEN);
        fleet.server("host-2", AZ1, TOKEN);
        Broadcaster broadcaster = fleet.track(fleet.broadcasterBuilder(AZ1).token(TOKEN)
                .config(HotlineConfig.of(Map.of("hotline.broadcaster.status-services", " nova.conductor ,")))
                .start());
        String base = broadcaster.endpoint().baseUri() + "/status/";

        // The first fetch starts the first collection and answers without waiting for it.
        JsonNode first = json(get(base + "api/status", TOKEN));
        assertThat(first.get("collectedAt").isNull()).as("%s", first).isTrue();
        assertThat(first.get("services")).isEmpty();
        JsonNode before = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> json(get(base + "api/status", TOKEN)), s -> !s.get("collectedAt").isNull());
        assertThat(before.findValuesAsText("name")).containsExactly("nova.conductor", "hotline.broadcaster");
        assertThat(before.get("zones").toString()).contains("region-one/az-1");
        assertThat(before.get("ownFanout").get("fanouts").asLong()).isZero();

        RpcClient client = fleet.client(TOKEN);
        for (int i = 0; i < 5; i++) {
            client.prepare(Fleet.TARGET).call("record", Map.of("event", "call-" + i), Object.class);
        }
        assertThat(client.prepare(Fleet.FANOUT).fanoutWithReport("record", Map.of("event", "all")).delivered())
                .isEqualTo(2);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            JsonNode s = json(get(base + "api/status", TOKEN));
            JsonNode compute = service(s, "nova.compute");
            assertThat(compute).as("nova.compute, fanned out to, in %s", s).isNotNull();
            assertThat(compute.get("passing").asInt()).isEqualTo(2);
            assertThat(compute.get("calls").asLong()).isEqualTo(5);
            assertThat(compute.get("endpoints").findValuesAsText("server")).containsExactlyInAnyOrder("host-1", "host-2");
            assertThat(compute.get("endpoints").findValuesAsText("health")).containsOnly("passing");
            JsonNode self = service(s, "hotline.broadcaster").get("endpoints").get(0);
            assertThat(self.get("address").asText()).isEqualTo(broadcaster.endpoint().baseUri().toString());
            assertThat(self.get("priority").asInt(-1)).isZero();
            assertThat(self.get("weight").asInt(-1)).isOne();
            assertThat(s.get("ownFanout").get("fanouts").asLong()).isEqualTo(1);
            assertThat(s.get("ownFanout").get("delivered").asLong()).isEqualTo(2);
            // Scraped from every broadcaster's /metrics with the token: here, this one.
            assertThat(s.get("fanout").get("delivered").asLong()).isEqualTo(2);
        });
        JsonNode conductor = service(json(get(base + "api/status", TOKEN)), "nova.conductor");
        assertThat(conductor.get("registered").asInt()).isZero();
        assertThat(conductor.get("callsPerSecond").asDouble()).isZero();
    }

    @Test
    void thePageAndScriptAreOpenTheJsonNeedsTheTokenAndTheBarePathRedirects() throws Exception {
        Broadcaster broadcaster = fleet.track(fleet.broadcasterBuilder(AZ1).token(TOKEN).start());
        String base = broadcaster.endpoint().baseUri().toString();

        HttpResponse<String> page = get(base + "/status/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.body()).contains("<title>Hotline status</title>", "<script src=\"status.js\">");
        HttpResponse<String> script = get(base + "/status/status.js", null);
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.body()).contains("fetch(\"api/status\"", "Bearer ");

        HttpResponse<String> bare = get(base + "/status", null);
        assertThat(bare.statusCode()).isBetween(301, 308);
        assertThat(URI.create(base + "/status").resolve(bare.headers().firstValue("Location").orElseThrow()).getPath())
                .isEqualTo("/status/");

        HttpResponse<String> missing = get(base + "/status/api/status", null);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(json(missing).get("error").get("message").asText()).contains("#token=");
        HttpResponse<String> wrong = get(base + "/status/api/status", "wrong");
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(wrong.body()).doesNotContain(TOKEN);

        assertThat(get(base + "/status/nothing", TOKEN).statusCode()).isEqualTo(404);
        assertThat(get(base + "/healthz", null).statusCode()).isEqualTo(200);
    }

    @Test
    void aBadConfiguredStatusServiceIsAClearError() {
        assertThatThrownBy(() -> fleet.broadcasterBuilder(AZ1)
                .config(HotlineConfig.of(Map.of("hotline.broadcaster.status-services", "nova.compute, no service"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hotline.broadcaster.status-services")
                .hasMessageContaining("no service");
    }

    private static JsonNode service(JsonNode status, String name) {
        for (JsonNode s : status.get("services")) {
            if (s.get("name").asText().equals(name)) {
                return s;
            }
        }
        return null;
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        return JSON.readTree(r.body());
    }

    private static HttpResponse<String> get(String uri, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(20)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}

package io.hotline.broadcaster;

import static io.hotline.broadcaster.Fleet.AZ1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hotline.rpc.internal.fanout.FanoutEngine;
import io.hotline.rpc.server.ListenerSettings;
import io.hotline.rpc.server.internal.serving.ServedMetrics;
import io.hotline.rpc.server.testing.OpenApiValidator;
import io.hotline.rpc.server.testing.OpenApiValidator.Problem;
import io.hotline.rpc.server.testing.OpenApiValidator.Request;
import io.hotline.rpc.server.testing.OpenApiValidator.Response;
import io.hotline.rpc.server.testing.RpcFleet;
import io.hotline.rpc.server.testing.ServedOpenApi;
import io.hotline.testing.CapturedStderr;
import io.hotline.testing.SlowBodies;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Holds the broadcaster to the OpenAPI document it serves, as rpc-http's conformance test holds the RPC server: every
 * request these tests send and every answer, each checked by {@link OpenApiValidator} against the served document.
 */
class BroadcasterOpenApiTest {

    private static final String FANOUT = "/v1/fanout/" + Fleet.TARGET.service();
    private static final String JSON = "application/json";
    private static final String TOKEN = "s3cret";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private static Fleet fleet;
    private static Broadcaster open;
    private static Broadcaster guarded;
    private static SwaggerParseResult parsed;
    private static OpenApiValidator validator;

    @BeforeAll
    static void start() throws Exception {
        fleet = Fleet.inMemory();
        fleet.server("host-1");
        fleet.server("host-2");
        fleet.register("dead", "dead", RpcFleet.deadPort());
        open = fleet.track(fleet.broadcasterBuilder(AZ1).start());
        guarded = fleet.track(fleet.broadcasterBuilder(Fleet.AZ2).token(TOKEN).start());
        ServedOpenApi served = ServedOpenApi.read(HTTP, URI.create(open.endpoint().baseUri() + "/openapi.json"));
        parsed = served.parsed();
        validator = served.validator();
    }

    @AfterAll
    static void stop() throws Exception {
        fleet.close();
    }

    @Test
    void theServedDocumentParsesWithoutAnyMessage() {
        assertThat(parsed.getMessages()).isEmpty();
        assertThat(parsed.getOpenAPI().getPaths()).containsOnlyKeys("/v1/fanout/{service}", "/healthz", "/readyz",
                "/metrics", "/openapi.json", "/status", "/status/", "/status/status.js", "/status/api/status");
    }

    @Test
    void aFanoutWithEveryFieldAndAReportConforms() throws Exception {
        HttpResponse<String> r = exchange(open, "POST", FANOUT, JSON, """
                {"kind": "cast", "method": "record", "args": {"event": "a"}, "context": {"user": "alice"},
                 "namespace": null, "version": "1.0", "msg_id": "m-1", "timeout": 5, "zones": ["region-one/az-1"],
                 "report": true}""", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"delivered\"").contains("\"refused\"");
    }

    @Test
    void aFanoutWithoutAReportAndAShareConform() throws Exception {
        assertThat(exchange(open, "POST", FANOUT, JSON,
                "{\"kind\": \"cast\", \"method\": \"record\", \"args\": {\"event\": \"b\"}, \"zones\": \"all\"}", null)
                .statusCode()).isEqualTo(202);
        assertThat(exchange(open, "POST", "/v1/fanout/nova.nobody", JSON,
                "{\"kind\": \"cast\", \"method\": \"record\"}", null).statusCode()).isEqualTo(202);
        String share = "{\"kind\": \"cast\", \"method\": \"record\", \"report\": true, \"targets\": [\"dead\", \"ghost\"]}";
        assertThat(exchange(open, "POST", FANOUT, JSON, share, null, Fleet.PEER_TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void aShareRefusedConforms() throws Exception {
        String share = "{\"kind\": \"cast\", \"method\": \"record\", \"report\": true, \"targets\": [\"dead\", \"ghost\"]}";
        HttpResponse<String> client = exchange(open, "POST", FANOUT, JSON, share, null, null);
        assertThat(client.statusCode()).isEqualTo(403);
        assertThat(client.body()).contains("AccessDenied");
        assertThat(exchange(open, "POST", FANOUT, JSON, share, null, "wrong-peer-token").statusCode()).isEqualTo(403);
        assertThat(exchange(open, "POST", FANOUT, JSON, share.replace("dead", "ghost-2"), null, Fleet.PEER_TOKEN)
                .statusCode()).isEqualTo(409);
    }

    @Test
    void errorsConform() throws Exception {
        assertThat(exchange(open, "POST", FANOUT, JSON, "{\"kind\": \"call\", \"method\": \"record\"}", null)
                .statusCode()).isEqualTo(400);
        assertThat(exchange(open, "POST", FANOUT, "text/plain", "hello", null).statusCode()).isEqualTo(415);
        assertThat(exchange(guarded, "POST", FANOUT, JSON, "{\"kind\": \"cast\", \"method\": \"record\"}", null)
                .statusCode()).isEqualTo(401);
        assertThat(exchange(guarded, "POST", FANOUT, JSON, "{\"kind\": \"cast\", \"method\": \"record\"}", "wrong")
                .statusCode()).isEqualTo(403);
    }

    /** A body that stops halfway is not a request the document can describe; only the 408 reply is checked. */
    @Test
    void aBodyThatStopsHalfwayIs408() throws Exception {
        byte[] body = "{\"kind\": \"cast\", \"method\": \"record\"}".getBytes(StandardCharsets.UTF_8);
        Broadcaster impatient = fleet.track(fleet.broadcasterBuilder(AZ1)
                .listener(ListenerSettings.DEFAULT.bodyTimeout(Duration.ofMillis(300))).start());
        try (SlowBodies slow = SlowBodies.open(impatient.port(), FANOUT, body, 10, 1, Duration.ofSeconds(10))) {
            SlowBodies.Reply reply = slow.replies().get(0);
            assertThat(reply.status()).isEqualTo(408);
            assertConforms(validator.validateResponse("POST", FANOUT, new Response(reply.status(), reply.headers(),
                    reply.body())));
        }
    }

    @Test
    void healthMetricsAndTheDocumentConform() throws Exception {
        assertThat(exchange(open, "GET", "/healthz", null, null, null).statusCode()).isEqualTo(200);
        assertThat(exchange(guarded, "GET", "/metrics", null, null, TOKEN).statusCode()).isEqualTo(200);
        assertThat(exchange(guarded, "GET", "/metrics", null, null, null).statusCode()).isEqualTo(401);
        assertThat(exchange(guarded, "GET", "/openapi.json", null, null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void metricsInOpenMetricsWhenAskedWithTheFanoutDurationAsAHistogram() throws Exception {
        HttpResponse<String> text = exchange(guarded, "GET", "/metrics", null, null, TOKEN);
        assertThat(text.body()).contains("hotline_broadcaster_fanout_duration_seconds_bucket{le=\"0.001\"}",
                "hotline_broadcaster_fanout_duration_seconds_bucket{le=\"60.0\"}");
        HttpResponse<String> open = HTTP.send(HttpRequest.newBuilder(URI.create(guarded.endpoint().baseUri()
                + "/metrics")).header("Authorization", "Bearer " + TOKEN)
                .header("Accept", "application/openmetrics-text").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(open.statusCode()).isEqualTo(200);
        assertThat(open.headers().firstValue("Content-Type")).hasValue(ServedMetrics.OPEN_METRICS);
        assertThat(open.body()).endsWith("# EOF\n");
        assertConforms(validator.validateResponse("GET", "/metrics", Response.of(open)));
    }

    @Test
    void readyWhileRegisteredDrainingWhileItStops() throws Exception {
        HttpResponse<String> ready = exchange(guarded, "GET", "/readyz", null, null, null);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("{\"status\":\"ready\"}");
        Broadcaster stopping = fleet.broadcasterBuilder(AZ1).drainDelay(Duration.ofMinutes(1)).start();
        // Interrupted at the end, which cuts the drain delay short.
        Thread closing = new Thread(stopping::close, "closing-broadcaster");
        closing.start();
        try {
            // Deregistered and serving on for the drain delay: alive, not ready.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                HttpResponse<String> draining = exchange(stopping, "GET", "/readyz", null, null, null);
                assertThat(draining.statusCode()).isEqualTo(503);
                assertThat(draining.body()).isEqualTo("{\"status\":\"draining\"}");
                assertThat(draining.headers().firstValue("Retry-After")).hasValue("1");
            });
            assertThat(exchange(stopping, "GET", "/healthz", null, null, null).statusCode()).isEqualTo(200);
        } finally {
            closing.interrupt();
            closing.join(Duration.ofSeconds(30).toMillis());
        }
    }

    @Test
    void theStatusPageItsScriptItsJsonAndTheRedirectConform() throws Exception {
        assertThat(exchange(guarded, "GET", "/status", null, null, null).statusCode()).isEqualTo(302);
        assertThat(exchange(guarded, "GET", "/status/", null, null, null).statusCode()).isEqualTo(200);
        assertThat(exchange(guarded, "GET", "/status/status.js", null, null, null).statusCode()).isEqualTo(200);
        assertThat(exchange(guarded, "GET", "/status/api/status", null, null, TOKEN).statusCode()).isEqualTo(200);
        assertThat(exchange(guarded, "GET", "/status/api/status", null, null, null).statusCode()).isEqualTo(401);
        assertThat(exchange(guarded, "GET", "/status/api/status", null, null, "wrong").statusCode()).isEqualTo(403);
        // A fanout adds its service, endpoints and rates to the JSON: that fuller answer conforms too.
        exchange(open, "POST", FANOUT, JSON, "{\"kind\": \"cast\", \"method\": \"record\", \"args\": {\"event\": \"s\"},"
                + " \"report\": true}", null);
        // The JSON answers the last collection at once and refreshes behind it: the service shows within a refresh or two.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(exchange(open, "GET", "/status/api/status", null, null, null).body()).contains("nova.compute"));
    }

    @Test
    void theValidatorRejectsWhatTheDocumentForbids() {
        assertThat(validator.validateRequest(Request.post(FANOUT, JSON,
                "{\"kind\": \"cast\", \"method\": \"m\", \"zones\": \"nearby\", \"colour\": 1}"))).isNotEmpty();
    }

    /**
     * Requests the document forbids, which the broadcaster took before: both refuse them, the broadcaster with 400
     * InvalidRequest naming the field. No JSON type is coerced into another, a field that is not nullable may be left
     * out but not be null, and numbers are finite.
     */
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "report | 0", "report | '\"true\"'", "report | null", "method | true", "msg_id | 5", "msg_id | null",
        "timeout | '\"1.0\"'", "timeout | ''", "timeout | null", "timeout | 1e400", "context | null", "zones | null",
        "targets | null", "targets | '[1]'", "peers | null", "peers | '[1]'", "args | null"})
    void whatTheDocumentForbidsTheBroadcasterRefuses(String field, String json) throws Exception {
        Map<String, String> fields = new LinkedHashMap<>(Map.of("kind", "\"cast\"", "method", "\"record\"",
                "args", "{\"event\": \"x\"}"));
        fields.put(field, json.isEmpty() ? "\"\"" : json);
        String body = fields.entrySet().stream().map(e -> "\"" + e.getKey() + "\": " + e.getValue())
                .collect(Collectors.joining(", ", "{", "}"));
        HttpResponse<String> refused = exchange(open, "POST", FANOUT, JSON, body, null);
        assertThat(refused.statusCode()).as(body + " -> " + refused.body()).isEqualTo(400);
        assertThat(refused.body()).contains("InvalidRequest").contains(field);
        assertThat(validator.validateRequest(Request.post(FANOUT, JSON, body))).as(body).isNotEmpty();
    }

    /** Overlong forms and code points above U+10FFFF, which Jackson alone would decode. */
    @ParameterizedTest
    @ValueSource(strings = {"c0af", "e080af", "f5808080"})
    void invalidUtf8IsRefused(String hex) throws Exception {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("{\"kind\": \"cast\", \"method\": \"record\", \"args\": {\"event\": \"".getBytes(
                StandardCharsets.US_ASCII));
        body.writeBytes(HexFormat.of().parseHex(hex));
        body.writeBytes("\"}}".getBytes(StandardCharsets.US_ASCII));
        HttpResponse<String> reply = HTTP.send(HttpRequest.newBuilder(URI.create(open.endpoint().baseUri() + FANOUT))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", JSON).POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(400);
        assertThat(reply.body()).contains("InvalidRequest").contains("invalid UTF-8 at byte offset 56");
    }

    @Test
    void onlyOtherMethodsThanPostGet405AndAnUnknownRouteIsHttpErrorAsOnTheRpcServer() throws Exception {
        assertThat(parsed.getOpenAPI().getPaths().get("/v1/fanout/{service}").getPost().getResponses())
                .doesNotContainKey("405");
        HttpResponse<String> get = exchange(open, "GET", FANOUT, null, null, null);
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.body()).contains("\"HttpError\"");
        HttpResponse<String> nowhere = HTTP.send(HttpRequest.newBuilder(URI.create(open.endpoint().baseUri()
                + "/v2/elsewhere")).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(nowhere.statusCode()).isEqualTo(404);
        assertThat(nowhere.body()).contains("\"HttpError\"");
    }

    @Test
    void theBearerSchemeIsCaseInsensitiveAndTwoAuthorizationHeadersAreRefused() throws Exception {
        for (String path : List.of(FANOUT, "/metrics", "/status/api/status")) {
            HttpRequest.Builder lower = HttpRequest.newBuilder(URI.create(guarded.endpoint().baseUri() + path))
                    .timeout(Duration.ofSeconds(20)).header("Authorization", "bearer  " + TOKEN);
            HttpRequest.Builder twice = HttpRequest.newBuilder(URI.create(guarded.endpoint().baseUri() + path))
                    .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + TOKEN)
                    .header("Authorization", "Bearer other");
            for (HttpRequest.Builder b : List.of(lower, twice)) {
                if (path.equals(FANOUT)) {
                    b.header("Content-Type", JSON).POST(HttpRequest.BodyPublishers.ofString(
                            "{\"kind\": \"cast\", \"method\": \"record\", \"args\": {\"event\": \"t\"}}"));
                }
            }
            assertThat(HTTP.send(lower.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).as(path)
                    .isLessThan(300);
            HttpResponse<String> refused = HTTP.send(twice.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as(path).isEqualTo(400);
            assertThat(refused.body()).contains("one Authorization header").doesNotContain(TOKEN);
        }
    }

    @Test
    void aMsgIdWithLineBreaksCannotForgeLogLines() throws Exception {
        try (CapturedStderr log = CapturedStderr.start()) {
            HttpResponse<String> r = exchange(open, "POST", FANOUT, JSON, "{\"kind\": \"cast\", \"method\":"
                    + " \"record\", \"args\": {\"event\": \"f\"}, \"msg_id\": \"m\\nFORGED WARN x\", \"report\": true}",
                    null);
            assertThat(r.statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> log.text().contains("did not get it"));
            assertThat(log.text()).contains("m\\nFORGED WARN x");
            assertThat(log.text().lines()).noneMatch(line -> line.startsWith("FORGED"));
        }
    }

    /** Sends one request, checks it and the answer against the document, and returns the answer. */
    private static HttpResponse<String> exchange(Broadcaster b, String method, String path, String contentType,
            String body, String token) throws Exception {
        return exchange(b, method, path, contentType, body, token, null);
    }

    /** As above, with the peer token header a share carries when {@code peerToken} is not null. */
    private static HttpResponse<String> exchange(Broadcaster b, String method, String path, String contentType,
            String body, String token, String peerToken) throws Exception {
        Request expected = Request.of(method, path);
        HttpRequest.Builder sent = HttpRequest.newBuilder(URI.create(b.endpoint().baseUri() + path))
                .timeout(Duration.ofSeconds(20));
        if (body != null) {
            expected = expected.withBody(contentType, body);
            sent.header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body));
        } else {
            sent.GET();
        }
        if (token != null) {
            expected = expected.withHeader("Authorization", "Bearer " + token);
            sent.header("Authorization", "Bearer " + token);
        }
        if (peerToken != null) {
            expected = expected.withHeader(FanoutEngine.PEER_TOKEN_HEADER, peerToken);
            sent.header(FanoutEngine.PEER_TOKEN_HEADER, peerToken);
        }
        HttpResponse<String> reply = HTTP.send(sent.build(), HttpResponse.BodyHandlers.ofString());
        boolean meantToBeValid = reply.statusCode() < 400 || reply.statusCode() == 401 || reply.statusCode() == 403;
        if (meantToBeValid) {
            assertConforms(validator.validateRequest(expected));
        }
        assertConforms(validator.validateResponse(method, path, Response.of(reply)));
        return reply;
    }

    private static void assertConforms(List<Problem> problems) {
        assertThat(problems).isEmpty();
    }
}

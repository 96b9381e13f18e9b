package io.hotline.rpc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.memory.MemorySpace;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.Target;
import io.hotline.rpc.internal.wire.Wire;
import io.hotline.rpc.server.testing.OpenApiValidator;
import io.hotline.rpc.server.testing.OpenApiValidator.Problem;
import io.hotline.rpc.server.testing.OpenApiValidator.Request;
import io.hotline.rpc.server.testing.OpenApiValidator.Response;
import io.hotline.rpc.server.testing.RpcFleet;
import io.hotline.rpc.server.testing.ServedOpenApi;
import io.hotline.testing.SlowBodies;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Holds the wire protocol to the OpenAPI document the server serves: the document is fetched from a running server,
 * parsed by swagger-parser, and every request these tests send and every reply the server gives is checked against it
 * by {@link OpenApiValidator} (paths, methods, parameters, status codes, content types, headers, and JSON bodies
 * against the schemas).
 */
class OpenApiConformanceTest {

    private static final Target TARGET = Target.topic("conductor").exchange("nova");
    private static final String RPC = "/v1/rpc/" + TARGET.service();
    private static final String JSON = "application/json";
    private static final String TOKEN = "s3cret";
    private static final int MAX_BODY = 4096;

    private static final HttpClient HTTP = client();

    // Started once for the class: the servers and the parsed document are the expensive part, the exchanges are cheap.
    private static final RpcFleet FLEET = RpcFleet.inMemory();
    private static EndpointStore store;
    private static RpcServer open;
    private static RpcServer guarded;
    private static SwaggerParseResult parsed;
    private static OpenApiValidator validator;

    @BeforeAll
    static void startServersAndReadTheirDocument() throws Exception {
        store = FLEET.store();
        open = FLEET.start(RpcServer.builder(store).target(TARGET.server("open")).endpoint(new TestApi("open"))
                .maxBodyBytes(MAX_BODY));
        guarded = FLEET.start(RpcServer.builder(store).target(TARGET.server("guarded")).endpoint(new TestApi("guarded"))
                .token(TOKEN));

        ServedOpenApi served = ServedOpenApi.read(HTTP, uri(open, "/openapi.json"));
        parsed = served.parsed();
        validator = served.validator();
    }

    @AfterAll
    static void closeAll() throws Exception {
        FLEET.close();
    }

    @Test
    void theServedDocumentParsesWithoutAnyMessage() {
        assertThat(parsed.getMessages()).isEmpty();
        assertThat(parsed.getOpenAPI().getOpenapi()).isEqualTo("3.0.3");
        assertThat(parsed.getOpenAPI().getPaths()).containsOnlyKeys("/v1/rpc/{service}", "/v1/calls/{msg_id}", "/metrics", "/healthz",
                "/readyz", "/openapi.json");
    }

    /** OpenAPI 3.0 ignores {@code nullable} without a {@code type} beside it, so such a schema says nothing. */
    @Test
    void everyNullableSchemaSaysOfWhichType() {
        List<String> untyped = new ArrayList<>();
        parsed.getOpenAPI().getComponents().getSchemas().forEach((name, schema) -> collectUntypedNullables(name, schema,
                untyped));
        assertThat(untyped).isEmpty();
    }

    private static void collectUntypedNullables(String where, Schema<?> schema, List<String> found) {
        if (schema == null) {
            return;
        }
        if (Boolean.TRUE.equals(schema.getNullable()) && schema.getType() == null) {
            found.add(where);
        }
        if (schema.getProperties() != null) {
            schema.getProperties().forEach((name, property) -> collectUntypedNullables(where + "." + name, property,
                    found));
        }
        collectUntypedNullables(where + "[]", schema.getItems(), found);
        if (schema.getAdditionalProperties() instanceof Schema<?> additional) {
            collectUntypedNullables(where + ".*", additional, found);
        }
        for (List<Schema> alternatives : Arrays.asList(schema.getAllOf(), schema.getOneOf(), schema.getAnyOf())) {
            if (alternatives != null) {
                alternatives.forEach(alternative -> collectUntypedNullables(where + "|", alternative, found));
            }
        }
    }

    @Test
    void aCallUsingEveryRequestFieldGetsItsResult() throws Exception {
        Exchange call = post(open, RPC, JSON, """
                {"kind": "call", "method": "add", "args": {"a": 2, "b": 40}, "context": {"user": "alice"},
                 "namespace": null, "version": "1.0", "msg_id": "m-1", "timeout": 5}""", null);
        assertThat(call.status()).isEqualTo(200);
        assertThat(call.json().at("/result").asInt()).isEqualTo(42);
        call.assertRequestConforms();
        call.assertResponseConforms();
    }

    @Test
    void aCallOfAVoidMethodGetsANullResult() throws Exception {
        Exchange call = post(open, RPC, JSON,
                "{\"kind\": \"call\", \"method\": \"record\", \"args\": {\"event\": \"v\"}}", null);
        assertThat(call.status()).isEqualTo(200);
        assertThat(call.json().has("result")).isTrue();
        assertThat(call.json().get("result").isNull()).isTrue();
        call.assertRequestConforms();
        call.assertResponseConforms();
    }

    @Test
    void aCastIsAcceptedWithItsMsgId() throws Exception {
        Exchange cast = post(open, RPC, JSON,
                "{\"kind\": \"cast\", \"method\": \"record\", \"args\": {\"event\": \"e\"}, \"msg_id\": \"m-2\"}",
                null);
        assertThat(cast.status()).isEqualTo(202);
        assertThat(cast.json().at("/msg_id").asText()).isEqualTo("m-2");
        cast.assertRequestConforms();
        cast.assertResponseConforms();
    }

    @Test
    void anUnknownMethodIsNoSuchMethod() throws Exception {
        Exchange nope = post(open, RPC, JSON, "{\"kind\": \"call\", \"method\": \"nope\"}", null);
        assertThat(nope.status()).isEqualTo(404);
        assertThat(nope.json().at("/error/type").asText()).isEqualTo("NoSuchMethod");
        nope.assertRequestConforms();
        nope.assertResponseConforms();
    }

    @Test
    void anotherServiceIsInvalidTarget() throws Exception {
        Exchange other = post(open, "/v1/rpc/nova.scheduler", JSON, "{\"kind\": \"call\", \"method\": \"echo\"}", null);
        assertThat(other.status()).isEqualTo(404);
        assertThat(other.json().at("/error/type").asText()).isEqualTo("InvalidTarget");
        other.assertRequestConforms();
        other.assertResponseConforms();
    }

    @Test
    void aVersionNoEndpointServesIsUnsupportedVersion() throws Exception {
        Exchange newer = post(open, RPC, JSON, "{\"kind\": \"call\", \"method\": \"echo\", \"version\": \"2.0\"}",
                null);
        assertThat(newer.status()).isEqualTo(409);
        assertThat(newer.json().at("/error/type").asText()).isEqualTo("UnsupportedVersion");
        newer.assertRequestConforms();
        newer.assertResponseConforms();
    }

    @Test
    void aRemoteExceptionCarriesTypeMessageAndTrace() throws Exception {
        Exchange failed = post(open, RPC, JSON,
                "{\"kind\": \"call\", \"method\": \"fail\", \"args\": {\"message\": \"disk full\"}}", null);
        assertThat(failed.status()).isEqualTo(500);
        JsonNode error = failed.json().get("error");
        assertThat(error.get("type").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(error.get("message").asText()).isEqualTo("disk full");
        assertThat(error.get("trace")).anyMatch(frame -> frame.asText().contains("TestApi.fail"));
        failed.assertRequestConforms();
        failed.assertResponseConforms();
    }

    // The next two requests break the document on purpose: the document must reject them as the server does.

    @Test
    void malformedJsonIsRejectedByTheDocumentAndTheServer() throws Exception {
        Exchange malformed = post(open, RPC, JSON, "{\"kind\": \"call\", \"method\": ", null);
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().at("/error/type").asText()).isEqualTo("InvalidRequest");
        assertThat(keys(validator.validateRequest(malformed.request())))
                .contains("validation.request.body.schema.invalidJson");
        malformed.assertResponseConforms();
    }

    @Test
    void anUnknownFieldIsRejectedByTheDocumentAndTheServer() throws Exception {
        Exchange typo = post(open, RPC, JSON, "{\"kind\": \"call\", \"method\": \"echo\", \"methd\": \"echo\"}", null);
        assertThat(typo.status()).isEqualTo(400);
        assertThat(typo.json().at("/error/message").asText()).contains("methd");
        assertThat(keys(validator.validateRequest(typo.request())))
                .containsExactly("validation.request.body.schema.additionalProperties");
        typo.assertResponseConforms();
    }

    // The next two requests are outside what the document describes (415) or what the server accepts (413); only the
    // replies are checked.

    @Test
    void aBodyThatIsNotJsonIs415() throws Exception {
        Exchange text = post(open, RPC, "text/plain", "hello", null);
        assertThat(text.status()).isEqualTo(415);
        assertThat(text.json().at("/error/type").asText()).isEqualTo("InvalidRequest");
        text.assertResponseConforms();
    }

    @Test
    void aBodyOverTheLimitIs413() throws Exception {
        Exchange big = post(open, RPC, JSON,
                "{\"kind\": \"call\", \"method\": \"echo\", \"args\": {\"text\": \"" + "x".repeat(MAX_BODY) + "\"}}",
                null);
        assertThat(big.status()).isEqualTo(413);
        assertThat(big.json().at("/error/message").asText()).contains("larger than " + MAX_BODY + " bytes");
        big.assertResponseConforms();
    }

    /** A body that stops halfway is not a request the document can describe; only the 408 reply is checked. */
    @Test
    void aBodyThatStopsHalfwayIs408() throws Exception {
        byte[] body = "{\"kind\": \"call\", \"method\": \"echo\"}".getBytes(StandardCharsets.UTF_8);
        try (RpcServer impatient = RpcServer.builder(store).target(TARGET.server("impatient"))
                .endpoint(new TestApi("impatient")).bodyTimeout(Duration.ofMillis(300)).drainDelay(Duration.ZERO)
                .start();
                SlowBodies slow = SlowBodies.open(impatient.port(), RPC, body, 10, 1, Duration.ofSeconds(10))) {
            SlowBodies.Reply reply = slow.replies().get(0);
            assertThat(reply.status()).isEqualTo(408);
            assertConforms(validator.validateResponse("POST", RPC, new Response(reply.status(), reply.headers(),
                    reply.body())));
        }
    }

    /** A call whose timeout ran out while its body arrived is refused 504 Expired, as documented. */
    @Test
    void aCallThatExpiredBeforeItStartedIs504() throws Exception {
        String call = "{\"kind\": \"call\", \"method\": \"echo\", \"args\": {\"text\": \"x\"}, \"timeout\": 0.1}";
        try (SlowBodies slow = SlowBodies.open(open.port(), RPC, call.getBytes(StandardCharsets.UTF_8), 10, 1,
                Duration.ofSeconds(10))) {
            long sent = System.nanoTime();
            await("past the call's timeout").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> System.nanoTime() - sent > Duration.ofMillis(300).toNanos());
            SlowBodies.Reply reply = slow.complete().get(0);
            assertThat(reply.status()).as(reply.body()).isEqualTo(504);
            assertConforms(validator.validateRequest(Request.post(RPC, JSON, call)));
            assertConforms(validator.validateResponse("POST", RPC, new Response(reply.status(), reply.headers(),
                    reply.body())));
            String documented = ((Schema<?>) parsed.getOpenAPI().getComponents().getSchemas().get("ErrorBody")
                    .getProperties().get("error")).getProperties().get("type").getDescription();
            assertThat(documented).containsPattern("\\b" + Wire.MAPPER.readTree(reply.body()).at("/error/type")
                    .asText() + "\\b");
        }
    }

    @Test
    void aMissingTokenIs401WithAChallenge() throws Exception {
        Exchange missing = post(guarded, RPC, JSON, "{\"kind\": \"call\", \"method\": \"echo\"}", null);
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.json().at("/error/type").asText()).isEqualTo("AccessDenied");
        missing.assertRequestConforms();
        missing.assertResponseConforms();
    }

    @Test
    void aWrongTokenIs403() throws Exception {
        Exchange wrong = post(guarded, RPC, JSON, "{\"kind\": \"call\", \"method\": \"echo\"}", "guess");
        assertThat(wrong.status()).isEqualTo(403);
        assertThat(wrong.json().at("/error/type").asText()).isEqualTo("AccessDenied");
        wrong.assertRequestConforms();
        wrong.assertResponseConforms();
    }

    @Test
    void theRightTokenIsServed() throws Exception {
        Exchange right = post(guarded, RPC, JSON, "{\"kind\": \"call\", \"method\": \"server\"}", TOKEN);
        assertThat(right.status()).isEqualTo(200);
        assertThat(right.json().at("/result").asText()).isEqualTo("guarded");
        right.assertRequestConforms();
        right.assertResponseConforms();
    }

    @Test
    void aFullCastQueueIs503WithRetryAfter() throws Exception {
        Gate gate = new Gate();
        try (RpcServer busy = RpcServer.builder(store).target(TARGET.server("busy")).endpoint(gate)
                .castExecution(1, 1).start()) {
            try {
                String hold = "{\"kind\": \"cast\", \"method\": \"hold\"}";
                // The first cast takes the only cast thread and blocks in it, the second takes the only queue slot:
                // once the first runs, as a cast admitted counts as waiting until its thread takes it.
                assertThat(post(busy, RPC, JSON, hold, null).status()).isEqualTo(202);
                assertThat(gate.holding.await(10, TimeUnit.SECONDS)).as("the first cast runs").isTrue();
                assertThat(post(busy, RPC, JSON, hold, null).status()).isEqualTo(202);
                Exchange full = post(busy, RPC, JSON, hold, null);
                assertThat(full.status()).isEqualTo(503);
                assertThat(full.json().at("/error/type").asText()).isEqualTo("ServerBusy");
                full.assertRequestConforms();
                full.assertResponseConforms();
            } finally {
                gate.release.countDown();
            }
        }
    }

    @Test
    void metricsNeedTheTokenAndAreText() throws Exception {
        Exchange refused = get(guarded, "/metrics");
        assertThat(refused.status()).isEqualTo(401);
        refused.assertResponseConforms();
        Exchange metrics = get(guarded, "/metrics", TOKEN);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.reply().body()).contains("hotline_rpc_server_calls_active");
        metrics.assertRequestConforms();
        metrics.assertResponseConforms();
    }

    @Test
    void requestDurationsAreHistogramsFromAMillisecondToAMinute() throws Exception {
        assertThat(post(open, RPC, JSON, "{\"kind\": \"call\", \"method\": \"whoami\"}", null).status()).isEqualTo(200);
        String text = get(open, "/metrics").reply().body();
        for (String le : List.of("0.001", "0.002", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0",
                "2.5", "5.0", "10.0", "30.0", "60.0", "+Inf")) {
            assertThat(text).containsPattern("hotline_rpc_server_requests_seconds_bucket\\{[^}]*method=\"whoami\""
                    + "[^}]*le=\"" + Pattern.quote(le) + "\"\\} \\d");
        }
    }

    @Test
    void aScraperThatAsksForOpenMetricsGetsIt() throws Exception {
        Request expected = Request.get("/metrics")
                .withHeader("Accept", "application/openmetrics-text; version=1.0.0,text/plain;q=0.5");
        HttpResponse<String> reply = HTTP.send(HttpRequest.newBuilder(uri(open, "/metrics"))
                .header("Accept", "application/openmetrics-text; version=1.0.0,text/plain;q=0.5")
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        Exchange metrics = new Exchange(expected, reply);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(reply.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("application/openmetrics-text"));
        assertThat(reply.body()).contains("# TYPE hotline_rpc_server_calls_active gauge").endsWith("# EOF\n");
        metrics.assertResponseConforms();
        assertThat(get(open, "/metrics").reply().headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain").contains("version=0.0.4"));
    }

    @Test
    void anyMeterRegistryGetsTheMetersWhileMetricsStillServesThem() throws Exception {
        SimpleMeterRegistry application = new SimpleMeterRegistry();
        try (RpcServer server = RpcServer.builder(store).target(TARGET.server("otlp-like"))
                .endpoint(new TestApi("otlp-like")).meterRegistry(application).start()) {
            assertThat(post(server, RPC, JSON, "{\"kind\": \"call\", \"method\": \"whoami\"}", null).status())
                    .isEqualTo(200);
            assertThat(application.get("hotline.rpc.server.requests").tag("method", "whoami").timer().count())
                    .isOne();
            assertThat(get(server, "/metrics").reply().body())
                    .contains("hotline_rpc_server_requests_seconds_count{");
        }
    }

    @Test
    void theCallMonitorAnswersForUnknownCalls() throws Exception {
        Exchange unknown = get(guarded, "/v1/calls/no-such-call", TOKEN);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().at("/error/type").asText()).isEqualTo("UnknownCall");
        unknown.assertRequestConforms();
        unknown.assertResponseConforms();
        unknown.assertErrorTypeDocumented();
    }

    @Test
    void anUnknownRouteIsHttpErrorAsDocumented() throws Exception {
        Exchange nowhere = get(open, "/v2/elsewhere");
        assertThat(nowhere.status()).isEqualTo(404);
        assertThat(nowhere.json().at("/error/type").asText()).isEqualTo("HttpError");
        nowhere.assertErrorTypeDocumented();
    }

    /**
     * Requests the document forbids, each of which the server took before: the document and the server must both
     * refuse it, the server with 400 InvalidRequest. JSON types are not coerced (no string for a number or a number
     * for a string), a field that is not nullable may be left out but not be null, and numbers are finite.
     */
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "msg_id | 5", "msg_id | true", "msg_id | null", "msg_id | 1.5",
        "timeout | ''", "timeout | '\"1.0\"'", "timeout | null", "timeout | true", "timeout | 1e400",
        "context | null", "context | '\"alice\"'", "args | null",
        "namespace | 5", "version | 1.0", "method | true", "kind | 1"})
    void whatTheDocumentForbidsTheServerRefuses(String field, String json) throws Exception {
        Map<String, String> fields = new LinkedHashMap<>(Map.of("kind", "\"call\"", "method", "\"echo\"",
                "args", "{\"text\": \"x\"}"));
        fields.put(field, json.isEmpty() ? "\"\"" : json);
        String body = fields.entrySet().stream().map(e -> "\"" + e.getKey() + "\": " + e.getValue())
                .collect(Collectors.joining(", ", "{", "}"));
        Exchange refused = post(open, RPC, JSON, body, null);
        assertThat(refused.status()).as(body + " -> " + refused.reply().body()).isEqualTo(400);
        assertThat(refused.json().at("/error/type").asText()).isEqualTo("InvalidRequest");
        assertThat(refused.json().at("/error/message").asText()).contains(field);
        assertThat(validator.validateRequest(refused.request())).as(body).isNotEmpty();
        refused.assertResponseConforms();
    }

    @Test
    void twoAuthorizationHeadersAreADocumented400() throws Exception {
        for (String path : List.of("/metrics", "/v1/calls/m-1")) {
            HttpResponse<String> reply = HTTP.send(HttpRequest.newBuilder(uri(guarded, path)).timeout(Duration
                    .ofSeconds(10)).header("Authorization", "Bearer " + TOKEN).header("Authorization", "Bearer x")
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            Exchange twice = new Exchange(Request.get(path), reply);
            assertThat(twice.status()).isEqualTo(400);
            twice.assertResponseConforms();
            twice.assertErrorTypeDocumented();
        }
    }

    @Test
    void healthzIsOpenEvenWithAToken() throws Exception {
        Exchange health = get(guarded, "/healthz");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().at("/status").asText()).isEqualTo("passing");
        health.assertRequestConforms();
        health.assertResponseConforms();
    }

    @Test
    void readyzIsOpenEvenWithAToken() throws Exception {
        Exchange ready = get(guarded, "/readyz");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().at("/status").asText()).isEqualTo("ready");
        ready.assertRequestConforms();
        ready.assertResponseConforms();
    }

    @Test
    void aServerWhoseCallSlotsAreAllTakenIsNotReady() throws Exception {
        Gate gate = new Gate();
        try (RpcServer busy = RpcServer.builder(store).target(TARGET.server("saturated")).endpoint(gate)
                .maxConcurrentCalls(1).start()) {
            CompletableFuture<Exchange> call = CompletableFuture.supplyAsync(() -> {
                try {
                    return post(busy, RPC, JSON, "{\"kind\": \"call\", \"method\": \"hold\"}", null);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    Exchange saturated = get(busy, "/readyz");
                    assertThat(saturated.status()).isEqualTo(503);
                    assertThat(saturated.json().at("/status").asText()).isEqualTo("saturated");
                    assertThat(saturated.reply().headers().firstValue("Retry-After")).hasValue("1");
                    saturated.assertResponseConforms();
                });
            } finally {
                gate.release.countDown();
            }
            assertThat(call.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
            assertThat(get(busy, "/readyz").status()).isEqualTo(200);
        }
    }

    @Test
    void aServerWhoseHeartbeatsFailIsNotReady() throws Exception {
        String space = "readyz-" + UUID.randomUUID();
        try (EndpointStore own = StoreProviders.load().open(HotlineConfig.of(Map.of("hotline.store", "memory",
                "hotline.memory.space", space, "hotline.zone", RpcFleet.AZ1.path())));
             RpcServer server = RpcServer.builder(own).target(TARGET.server("cut-off")).endpoint(new TestApi("cut-off"))
                     .healthPolicy(HealthPolicy.of(Duration.ofMillis(100), Duration.ofSeconds(1),
                             Duration.ofSeconds(2)))
                     .start()) {
            assertThat(get(server, "/readyz").status()).isEqualTo(200);
            MemorySpace.named(space).stop(RpcFleet.AZ1);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Exchange unregistered = get(server, "/readyz");
                assertThat(unregistered.status()).isEqualTo(503);
                assertThat(unregistered.json().at("/status").asText()).isEqualTo("unregistered");
                unregistered.assertResponseConforms();
            });
            assertThat(get(server, "/healthz").status()).isEqualTo(200);
            MemorySpace.named(space).start(RpcFleet.AZ1);
            await().atMost(Duration.ofSeconds(10)).until(() -> get(server, "/readyz").status() == 200);
        }
    }

    @Test
    void aStoppingServerIsDrainingNotReady() throws Exception {
        RpcServer stopping = RpcServer.builder(store).target(TARGET.server("stopping")).endpoint(new TestApi("x"))
                .drainDelay(Duration.ofMinutes(1)).start();
        // Interrupted at the end, which cuts the drain delay short.
        Thread closing = new Thread(stopping::close, "closing-server");
        closing.start();
        try {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Exchange draining = get(stopping, "/readyz");
                assertThat(draining.status()).isEqualTo(503);
                assertThat(draining.json().at("/status").asText()).isEqualTo("draining");
                draining.assertResponseConforms();
            });
            assertThat(get(stopping, "/healthz").status()).isEqualTo(200);
        } finally {
            closing.interrupt();
            closing.join(Duration.ofSeconds(30).toMillis());
        }
    }

    @Test
    void theDocumentIsOpenEvenWithAToken() throws Exception {
        Exchange doc = get(guarded, "/openapi.json");
        assertThat(doc.status()).isEqualTo(200);
        assertThat(doc.json().at("/openapi").asText()).isEqualTo("3.0.3");
        doc.assertRequestConforms();
        doc.assertResponseConforms();
    }

    /** Replies the document forbids, each with the validator message it must give: the checks above can fail. */
    static Stream<Arguments> repliesTheDocumentForbids() {
        return Stream.of(
                Arguments.of(200, JSON, "{\"result\": 1, \"extra\": true}",
                        "validation.response.body.schema.additionalProperties"),
                Arguments.of(200, JSON, "{}", "validation.response.body.schema.required"),
                Arguments.of(202, JSON, "{}", "validation.response.body.schema.required"),
                Arguments.of(202, JSON, "{\"msg_id\": 7}", "validation.response.body.schema.type"),
                Arguments.of(404, JSON, "{\"error\": {\"type\": \"NoSuchMethod\"}}",
                        "validation.response.body.schema.required"),
                Arguments.of(500, JSON, "{\"error\": {\"type\": \"E\", \"message\": \"m\", \"trace\": \"t\"}}",
                        "validation.response.body.schema.type"),
                Arguments.of(401, JSON, "{\"error\": {\"type\": \"AccessDenied\", \"message\": \"m\"}}",
                        "validation.response.header.missing"),
                Arguments.of(200, "text/plain", "42", "validation.response.contentType.notAllowed"),
                Arguments.of(418, JSON, "{\"error\": {\"type\": \"Teapot\", \"message\": \"m\"}}",
                        "validation.response.status.unknown"));
    }

    @ParameterizedTest(name = "{0} {2} -> {3}")
    @MethodSource("repliesTheDocumentForbids")
    void theValidatorRejectsRepliesTheDocumentForbids(int status, String contentType, String body,
            String expectedKey) {
        Response reply = Response.of(status, contentType, body);
        assertThat(keys(validator.validateResponse("POST", RPC, reply))).contains(expectedKey);
    }

    @Test
    void theValidatorRejectsRequestsTheDocumentForbids() {
        assertThat(keys(validator.validateRequest(Request.post(RPC, JSON, "{\"kind\": \"send\", \"method\": \"\"}"))))
                .containsExactlyInAnyOrder("validation.request.body.schema.enum",
                        "validation.request.body.schema.minLength");
        assertThat(keys(validator.validateRequest(Request.post("/v1/rpc/no spaces", JSON,
                "{\"kind\": \"call\", \"method\": \"echo\"}"))))
                .containsExactly("validation.request.parameter.schema.pattern");
    }

    /** An endpoint whose cast holds the server's only cast thread until the test lets it go. */
    public static final class Gate {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch holding = new CountDownLatch(1);

        public void hold() throws InterruptedException {
            holding.countDown();
            // Bounded, so a failed test still lets the server close.
            release.await(10, TimeUnit.SECONDS);
        }
    }

    /** One request as both the JDK client sent it and the validator sees it, with the server's reply. */
    private record Exchange(Request request, HttpResponse<String> reply) {

        int status() {
            return reply.statusCode();
        }

        JsonNode json() throws Exception {
            return Wire.MAPPER.readTree(reply.body());
        }

        void assertRequestConforms() {
            assertConforms(validator.validateRequest(request));
        }

        /** The error type is one the document's ErrorBody lists, so clients can know every type they may get. */
        void assertErrorTypeDocumented() throws Exception {
            Schema<?> error = (Schema<?>) parsed.getOpenAPI().getComponents().getSchemas().get("ErrorBody")
                    .getProperties().get("error");
            String documented = error.getProperties().get("type").getDescription();
            assertThat(documented).containsPattern("\\b" + json().at("/error/type").asText() + "\\b");
        }

        void assertResponseConforms() {
            assertConforms(validator.validateResponse(request.method(), request.path(), Response.of(reply)));
        }
    }

    private static Exchange post(RpcServer server, String path, String contentType, String body, String token)
            throws Exception {
        return post(HTTP, server, path, contentType, body, token);
    }

    private static Exchange post(HttpClient client, RpcServer server, String path, String contentType, String body,
            String token) throws Exception {
        Request expected = Request.post(path, contentType, body);
        HttpRequest.Builder sent = HttpRequest.newBuilder(uri(server, path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            expected = expected.withHeader("Authorization", "Bearer " + token);
            sent.header("Authorization", "Bearer " + token);
        }
        return new Exchange(expected, client.send(sent.build(), HttpResponse.BodyHandlers.ofString()));
    }

    private static Exchange get(RpcServer server, String path) throws Exception {
        return get(server, path, null);
    }

    private static Exchange get(RpcServer server, String path, String token) throws Exception {
        Request expected = Request.get(path);
        HttpRequest.Builder sent = HttpRequest.newBuilder(uri(server, path)).timeout(Duration.ofSeconds(10)).GET();
        if (token != null) {
            expected = expected.withHeader("Authorization", "Bearer " + token);
            sent.header("Authorization", "Bearer " + token);
        }
        return new Exchange(expected, HTTP.send(sent.build(), HttpResponse.BodyHandlers.ofString()));
    }

    private static HttpClient client() {
        // HTTP/1.1, the protocol the document describes; h2c is checked in RpcEndToEndTest.
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    private static void assertConforms(List<Problem> problems) {
        assertThat(problems).isEmpty();
    }

    private static List<String> keys(List<Problem> problems) {
        return problems.stream().map(Problem::key).toList();
    }

    private static URI uri(RpcServer server, String path) {
        return URI.create(server.endpoint().baseUri() + path);
    }
}

package io.hotline.rpc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.Target;
import io.hotline.rpc.internal.wire.Wire;
import io.hotline.rpc.server.testing.RpcFleet;
import io.hotline.testing.CapturedStderr;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The RPC server against input a careless or hostile client sends: forged log lines, invalid UTF-8, numbers out of
 * range, odd Authorization headers, huge names; each must be refused or answered without echoing it whole.
 */
class HostileInputTest {

    private static final Target TARGET = Target.topic("conductor").exchange("nova");
    private static final String RPC = "/v1/rpc/" + TARGET.service();
    private static final String TOKEN = "s3cret-T0ken";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private static final RpcFleet FLEET = RpcFleet.inMemory();
    private static RpcServer open;
    private static RpcServer guarded;

    @BeforeAll
    static void startServers() {
        EndpointStore store = FLEET.store();
        open = FLEET.start(RpcServer.builder(store).target(TARGET.server("open")).endpoint(new TestApi("open"))
                .maxBodyBytes(2_000_000));
        guarded = FLEET.start(RpcServer.builder(store).target(TARGET.server("guarded")).endpoint(new TestApi("guarded"))
                .token(TOKEN));
    }

    @AfterAll
    static void closeAll() throws Exception {
        FLEET.close();
    }

    @Test
    void aMethodOrMsgIdWithLineBreaksCannotForgeLogLines() throws Exception {
        try (CapturedStderr log = CapturedStderr.start()) {
            HttpResponse<String> cast = post(open, RPC, """
                    {"kind": "cast", "method": "nope\\nFORGED WARN x", "msg_id": "m-1\\r\\nFORGED WARN y"}""");
            assertThat(cast.statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(10)).until(() -> log.text().contains("was not run"));
            assertThat(log.text().lines()).noneMatch(line -> line.startsWith("FORGED"));
            assertThat(log.text()).contains("nope\\nFORGED WARN x").contains("m-1\\r\\nFORGED WARN y");
        }
    }

    /** A method's exception message may quote the caller's arguments, so a failed cast's log line escapes it too. */
    @Test
    void aCastsExceptionMessageCannotForgeLogLines() throws Exception {
        try (CapturedStderr log = CapturedStderr.start()) {
            HttpResponse<String> cast = post(open, RPC, """
                    {"kind": "cast", "method": "fail", "args": {"message": "disk\\nFORGED WARN z"}}""");
            assertThat(cast.statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(10)).until(() -> log.text().contains("FORGED WARN z"));
            assertThat(log.text()).contains("cast fail of nova.conductor",
                    "IllegalStateException: disk\\nFORGED WARN z", "at io.hotline.rpc.server.TestApi.fail");
            assertThat(log.text().lines()).noneMatch(line -> line.startsWith("FORGED"));
        }
    }

    /** Overlong forms of '/' and DEL, a surrogate, code points above U+10FFFF: RFC 3629 forbids each. */
    @ParameterizedTest
    @ValueSource(strings = {"c0af", "c1bf", "e080af", "f08080af", "eda080", "f5808080", "f4908080"})
    void invalidUtf8IsRefused(String hex) throws Exception {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("{\"kind\": \"call\", \"method\": \"echo\", \"args\": {\"text\": \"a".getBytes(
                StandardCharsets.US_ASCII));
        body.writeBytes(HexFormat.of().parseHex(hex));
        body.writeBytes("\"}}".getBytes(StandardCharsets.US_ASCII));
        HttpResponse<String> reply = HTTP.send(request(open, RPC).POST(HttpRequest.BodyPublishers.ofByteArray(
                body.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(400);
        assertThat(error(reply).get("type").asText()).isEqualTo("InvalidRequest");
        assertThat(error(reply).get("message").asText()).contains("invalid UTF-8 at byte offset 54");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"kind\": \"call\", \"method\": \"echo\", \"args\": {\"text\": 1e400}}",
        "{\"kind\": \"call\", \"method\": \"describe\", \"args\": {\"values\": [1, -1e400]}}",
        "{\"kind\": \"call\", \"method\": \"echo\", \"args\": {\"text\": \"x\"}, \"timeout\": 1e400}",
        "{\"kind\": \"call\", \"method\": \"echo\", \"args\": {\"text\": \"x\"}, \"context\": {\"n\": 1e309}}"})
    void numbersBeyondADoubleAreRefused(String body) throws Exception {
        HttpResponse<String> reply = post(open, RPC, body);
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(400);
        assertThat(error(reply).get("message").asText()).contains("out of range").contains("finite");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer " + TOKEN, "bearer " + TOKEN, "BEARER " + TOKEN, "Bearer  " + TOKEN,
        "bEaReR \t " + TOKEN + " "})
    void theBearerSchemeIsCaseInsensitiveAndToleratesExtraSpace(String authorization) throws Exception {
        HttpResponse<String> call = HTTP.send(request(guarded, RPC).header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofString("{\"kind\": \"call\", \"method\": \"server\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(call.statusCode()).as(call.body()).isEqualTo(200);
        HttpResponse<String> metrics = HTTP.send(request(guarded, "/metrics").header("Authorization", authorization)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
    }

    @Test
    void twoAuthorizationHeadersAreRefusedAndNoTokenIsEchoed() throws Exception {
        for (String path : List.of(RPC, "/metrics", "/v1/calls/m-1")) {
            HttpRequest.Builder twice = request(guarded, path).header("Authorization", "Bearer " + TOKEN)
                    .header("Authorization", "Bearer guess-one");
            HttpResponse<String> reply = HTTP.send((path.equals(RPC) ? twice.POST(HttpRequest.BodyPublishers
                    .ofString("{\"kind\": \"call\", \"method\": \"server\"}")) : twice.GET()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(reply.statusCode()).as(path + ": " + reply.body()).isEqualTo(400);
            assertThat(error(reply).get("type").asText()).isEqualTo("InvalidRequest");
            assertThat(error(reply).get("message").asText()).contains("one Authorization header");
            assertThat(reply.body()).doesNotContain(TOKEN).doesNotContain("guess-one");
        }
        HttpResponse<String> wrong = HTTP.send(request(guarded, RPC).header("Authorization", "Bearer guess-one")
                .POST(HttpRequest.BodyPublishers.ofString("{\"kind\": \"call\", \"method\": \"server\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(wrong.body()).doesNotContain("guess-one").doesNotContain(TOKEN);
    }

    @Test
    void aHugeMethodNameIsQuotedBrieflyAndEscaped() throws Exception {
        String method = "\u001b[31m" + "m".repeat(900_000);
        HttpResponse<String> reply = post(open, RPC, "{\"kind\": \"call\", \"method\": \"" + method.replace("\u001b",
                "\\u001b") + "\"}");
        assertThat(reply.statusCode()).isEqualTo(404);
        assertThat(reply.body().length()).isLessThan(1_000);
        assertThat(error(reply).get("message").asText()).contains("\\u001b[31mmmm").contains("(900005 characters)")
                .doesNotContain("\u001b");
        HttpResponse<String> target = post(open, "/v1/rpc/nova." + "x".repeat(5_000), "{\"kind\": \"call\","
                + " \"method\": \"echo\"}");
        assertThat(target.statusCode()).isEqualTo(404);
        assertThat(target.body().length()).isLessThan(1_000);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"kind\": \"call\", \"method\": \"echo\", \"methd\": 1}",
        "{\"kind\": \"call\", \"method\": \"echo\", \"args\": {\"text\": 1%s}}",
        "{\"kind\": \"call\", \"method\": \"echo\", \"args\": {\"text\": \"%s\"}, \"msg_id\": 7}",
        "{\"kind\": \"call\", \"method\": \"echo\", \"timeout\": \"soon\"}",
        "[\"kind\", \"call\"]",
        "",
        "{\"kind\": \"call\", \"method\": \"add\", \"args\": {\"a\": \"two\", \"b\": 1}}"})
    void errorsNameNeitherParserInternalsNorServerClasses(String template) throws Exception {
        HttpResponse<String> reply = post(open, RPC, template.formatted("0".repeat(5_000)));
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(400);
        String message = error(reply).get("message").asText();
        assertThat(message).doesNotContain("StreamReadConstraints", "CoercionConfig", "Wire$", "io.hotline",
                "com.fasterxml", "jackson", "`");
        assertThat(message.length()).isLessThan(400);
    }

    @Test
    void aNumberLongerThanTheParserReadsSaysWhichLimitItMet() throws Exception {
        HttpResponse<String> reply = post(open, RPC, "{\"kind\": \"call\", \"method\": \"echo\", \"args\": {\"text\": 1"
                + "0".repeat(5_000) + "}}");
        assertThat(reply.statusCode()).isEqualTo(400);
        assertThat(error(reply).get("message").asText()).contains("numbers have at most 1000 characters");
    }

    @Test
    void aRemoteTraceKeepsTheMethodsFramesAndDropsTheServersPlumbing() throws Exception {
        HttpResponse<String> reply = post(open, RPC,
                "{\"kind\": \"call\", \"method\": \"fail\", \"args\": {\"message\": \"disk full\"}}");
        assertThat(reply.statusCode()).isEqualTo(500);
        List<String> trace = Wire.MAPPER.convertValue(error(reply).get("trace"),
                Wire.MAPPER.getTypeFactory().constructCollectionType(List.class, String.class));
        assertThat(trace).isNotEmpty();
        assertThat(trace.get(0)).contains("TestApi.fail");
        assertThat(trace).noneMatch(frame -> frame.contains("org.eclipse.jetty") || frame.contains("reflect")
                || frame.contains("io.hotline.rpc.server.Dispatcher") || frame.contains("io.hotline.rpc.server.Rpc")
                || frame.contains("org.glassfish") || frame.contains("java.lang.Thread"));
    }

    private static JsonNode error(HttpResponse<String> reply) throws Exception {
        return Wire.MAPPER.readTree(reply.body()).get("error");
    }

    private static HttpResponse<String> post(RpcServer server, String path, String body) throws Exception {
        return HTTP.send(request(server, path).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder request(RpcServer server, String path) {
        return HttpRequest.newBuilder(URI.create(server.endpoint().baseUri() + path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json");
    }
}

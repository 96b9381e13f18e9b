package io.hotline.broadcaster;

import static io.hotline.broadcaster.Fleet.AZ1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.SimpleValidationReportFormat;
import com.atlassian.oai.validator.report.ValidationReport;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.HealthPolicy;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Holds the broadcaster to the OpenAPI document it serves, as rpc-http's conformance test holds the RPC server: every
 * request these tests send and every answer, each checked by swagger-request-validator against the served document.
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
    private static OpenApiInteractionValidator validator;

    @BeforeAll
    static void start() throws Exception {
        fleet = Fleet.inMemory();
        fleet.server("host-1");
        fleet.server("host-2");
        fleet.register("dead", "dead", Fleet.deadPort());
        open = fleet.track(fleet.broadcasterBuilder(AZ1).start());
        guarded = fleet.track(fleet.broadcasterBuilder(Fleet.AZ2).token(TOKEN).start());
        HttpResponse<String> doc = HTTP.send(HttpRequest.newBuilder(URI.create(open.endpoint().baseUri()
                + "/openapi.json")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(doc.statusCode()).isEqualTo(200);
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setResolveFully(true);
        parsed = new OpenAPIParser().readContents(doc.body(), null, options);
        assertThat(parsed.getOpenAPI()).as("swagger-parser read no document: %s", parsed.getMessages()).isNotNull();
        validator = OpenApiInteractionValidator.createFor(parsed.getOpenAPI()).build();
    }

    @AfterAll
    static void stop() throws Exception {
        fleet.close();
    }

    @Test
    void theServedDocumentParsesWithoutAnyMessage() {
        assertThat(parsed.getMessages()).isEmpty();
        assertThat(parsed.getOpenAPI().getPaths()).containsOnlyKeys("/v1/fanout/{service}", "/healthz", "/metrics",
                "/openapi.json", "/status", "/status/", "/status/status.js", "/status/api/status");
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
        assertThat(exchange(open, "POST", FANOUT, JSON,
                "{\"kind\": \"cast\", \"method\": \"record\", \"report\": true, \"targets\": [\"dead\", \"ghost\"]}",
                null).statusCode()).isEqualTo(200);
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

    @Test
    void healthMetricsAndTheDocumentConform() throws Exception {
        assertThat(exchange(open, "GET", "/healthz", null, null, null).statusCode()).isEqualTo(200);
        assertThat(exchange(guarded, "GET", "/metrics", null, null, TOKEN).statusCode()).isEqualTo(200);
        assertThat(exchange(guarded, "GET", "/metrics", null, null, null).statusCode()).isEqualTo(401);
        assertThat(exchange(guarded, "GET", "/openapi.json", null, null, null).statusCode()).isEqualTo(200);
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
        ValidationReport report = validator.validateRequest(SimpleRequest.Builder.post(FANOUT).withContentType(JSON)
                .withBody("{\"kind\": \"cast\", \"method\": \"m\", \"zones\": \"nearby\", \"colour\": 1}").build());
        assertThat(report.getMessages()).isNotEmpty();
    }

    /** Sends one request, checks it and the answer against the document, and returns the answer. */
    private static HttpResponse<String> exchange(Broadcaster b, String method, String path, String contentType,
            String body, String token) throws Exception {
        SimpleRequest.Builder expected = new SimpleRequest.Builder(method, path);
        HttpRequest.Builder sent = HttpRequest.newBuilder(URI.create(b.endpoint().baseUri() + path))
                .timeout(Duration.ofSeconds(20));
        if (body != null) {
            expected.withContentType(contentType).withBody(body);
            sent.header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body));
        } else {
            sent.GET();
        }
        if (token != null) {
            expected.withAuthorization("Bearer " + token);
            sent.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> reply = HTTP.send(sent.build(), HttpResponse.BodyHandlers.ofString());
        SimpleRequest request = expected.build();
        boolean meantToBeValid = reply.statusCode() < 400 || reply.statusCode() == 401 || reply.statusCode() == 403;
        if (meantToBeValid) {
            assertConforms(validator.validateRequest(request));
        }
        SimpleResponse.Builder response = SimpleResponse.Builder.status(reply.statusCode()).withBody(reply.body());
        reply.headers().map().forEach(response::withHeader);
        assertConforms(validator.validateResponse(request.getPath(), request.getMethod(), response.build()));
        return reply;
    }

    private static void assertConforms(ValidationReport report) {
        assertThat(report.getMessages()).as(() -> SimpleValidationReportFormat.getInstance().apply(report)).isEmpty();
    }
}

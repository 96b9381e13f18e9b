package io.hotline.rpc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.AccessDenied;
import io.hotline.rpc.InvalidRequest;
import io.hotline.rpc.InvalidTarget;
import io.hotline.rpc.MessagingTimeout;
import io.hotline.rpc.NoSuchMethod;
import io.hotline.rpc.RemoteError;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.ServerBusy;
import io.hotline.rpc.Target;
import io.hotline.rpc.UnsupportedVersion;
import io.hotline.rpc.VersionCapError;
import io.hotline.rpc.internal.wire.Wire;
import io.hotline.rpc.server.testing.RpcFleet;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/** Every RPC feature end to end, once through the memory store and once through the file store. */
@ParameterizedClass(name = "{0} store")
@ValueSource(strings = {"memory", "file"})
class RpcEndToEndTest {

    @Parameter
    String storeName;

    @TempDir
    Path storeDirectory;

    private static final Target TARGET = Target.topic("conductor").exchange("nova");
    private static final Zone ZONE = Zone.of("region-one/az-1");

    private RpcFleet fleet;
    private final HttpClient raw = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void openFleet() {
        fleet = storeName.equals("memory") ? RpcFleet.inMemory() : RpcFleet.inFiles(storeDirectory);
    }

    @AfterEach
    void closeAll() throws Exception {
        fleet.close();
    }

    private <T extends AutoCloseable> T track(T c) {
        return fleet.track(c);
    }

    /** A new store instance, as another process would open; all of one test share the same registrations. */
    private EndpointStore store() {
        return fleet.store(ZONE);
    }

    /** Short drain: both stores' watches see a deregistration within tens of milliseconds here. */
    private RpcServer.Builder builder() {
        return fleet.serverBuilder(ZONE).target(TARGET).drainDelay(Duration.ofMillis(100));
    }

    private RpcServer server(TestApi api, RpcServer.Builder extra) {
        return fleet.start(extra.endpoint(api));
    }

    private RpcServer server(TestApi api) {
        return server(api, builder().target(TARGET.server(api.name)));
    }

    private RpcClient client(RpcClient.Builder b) {
        return fleet.client(b);
    }

    private RpcClient client() {
        return client(RpcClient.builder(store()));
    }

    private HttpResponse<String> post(RpcServer s, String path, String contentType, String body, String token)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.endpoint().baseUri() + path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return raw.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(String body) throws Exception {
        return Wire.MAPPER.readTree(body);
    }

    @Test
    void callsReturnTypedResultsAndCastsRunOnTheServer() {
        TestApi api = new TestApi("host-1");
        server(api);
        RpcClient.Prepared conductor = client().prepare(TARGET);

        assertThat(conductor.call("add", Map.of("a", 2, "b", 40), Integer.class)).isEqualTo(42);
        assertThat(conductor.call("echo", Map.of("text", "héllo \"world\""), String.class)).isEqualTo("héllo \"world\"");
        assertThat(conductor.call("describe", Map.of("values", List.of(1, 2, 3)), Map.class))
                .containsEntry("count", 3).containsEntry("server", "host-1");
        assertThat(conductor.context(Map.of("user", "alice")).call("whoami", Map.of(), String.class)).isEqualTo("alice");
        assertThat(conductor.call("record", Map.of("event", "x"), Object.class)).isNull();

        conductor.cast("record", Map.of("event", "cast-1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> api.events.contains("cast-1"));
    }

    @Test
    void remoteFailuresCarryTypeMessageAndTrace() {
        server(new TestApi("host-1"));
        RpcClient.Prepared plain = client().prepare(TARGET);
        assertThatThrownBy(() -> plain.call("fail", Map.of("message", "disk full"), String.class))
                .isInstanceOfSatisfying(RemoteError.class, e -> {
                    assertThat(e.remoteType()).isEqualTo("java.lang.IllegalStateException");
                    assertThat(e.remoteMessage()).isEqualTo("disk full");
                    assertThat(e.remoteTrace()).anyMatch(frame -> frame.contains("TestApi.fail"));
                });

        RpcClient.Prepared typed = client(RpcClient.builder(store())
                .allowRemoteExceptions(Set.of("java.lang.IllegalStateException"))).prepare(TARGET);
        assertThatThrownBy(() -> typed.call("fail", Map.of("message", "disk full"), String.class))
                .isExactlyInstanceOf(IllegalStateException.class).hasMessage("disk full")
                .hasCauseInstanceOf(RemoteError.class);
    }

    @Test
    void unknownHiddenAndMisusedMethodsEachGetTheirOwnError() {
        server(new TestApi("host-1"));
        RpcClient.Prepared c = client().prepare(TARGET);
        assertThatThrownBy(() -> c.call("nope", Map.of(), String.class)).isInstanceOf(NoSuchMethod.class)
                .hasMessageContaining("nope");
        assertThatThrownBy(() -> c.call("_secret", Map.of(), String.class)).isInstanceOf(NoSuchMethod.class);
        assertThatThrownBy(() -> c.call("add", Map.of("a", 1), Integer.class)).isInstanceOf(InvalidRequest.class)
                .hasMessageContaining("add(a, b) needs argument 'b'");
        assertThatThrownBy(() -> c.call("add", Map.of("a", 1, "b", "two"), Integer.class))
                .isInstanceOf(InvalidRequest.class).hasMessageContaining("argument 'b'");
        assertThatThrownBy(() -> c.call("add", Map.of("a", 1, "b", 2, "c", 3), Integer.class))
                .isInstanceOf(InvalidRequest.class).hasMessageContaining("takes no argument 'c'");
        assertThatThrownBy(() -> client().prepare(TARGET.asFanout()).call("echo", Map.of(), String.class))
                .isInstanceOf(InvalidTarget.class);
    }

    @Test
    void versionsAndNamespacesFollowOslosRules() {
        TestApi api = new TestApi("host-1");
        track(builder().target(TARGET).endpoint(null, "1.3", api)
                .endpoint("baseapi", "2.0", new TestApi("base")).start());
        RpcClient.Prepared c = client().prepare(TARGET);
        assertThat(c.call("echo", Map.of("text", "a"), String.class)).isEqualTo("a");
        assertThat(client().prepare(TARGET.version("1.2")).call("echo", Map.of("text", "b"), String.class))
                .isEqualTo("b");
        assertThatThrownBy(() -> client().prepare(TARGET.version("1.4")).call("echo", Map.of("text", "c"), String.class))
                .isInstanceOf(UnsupportedVersion.class).hasMessageContaining("1.4");
        assertThatThrownBy(() -> client().prepare(TARGET.version("2.0")).call("echo", Map.of("text", "c"), String.class))
                .isInstanceOf(UnsupportedVersion.class);
        assertThat(client().prepare(TARGET.namespace("baseapi").version("2.0")).call("server", Map.of(), String.class))
                .isEqualTo("base");
        assertThatThrownBy(() -> client().prepare(TARGET.namespace("other")).call("echo", Map.of(), String.class))
                .isInstanceOf(UnsupportedVersion.class);

        RpcClient capped = client(RpcClient.builder(store()).versionCap("1.1"));
        assertThatThrownBy(() -> capped.prepare(TARGET.version("1.2")).cast("record", Map.of("event", "over-cap")))
                .isInstanceOf(VersionCapError.class).hasMessageContaining("version cap 1.1");
        capped.prepare(TARGET.version("1.1")).cast("record", Map.of("event", "at-cap"));
        await().atMost(Duration.ofSeconds(5)).until(() -> api.events.contains("at-cap"));
        assertThat(api.events).doesNotContain("over-cap");
    }

    @Test
    void aSlowReplyIsAMessagingTimeout() {
        server(new TestApi("host-1"));
        assertThatThrownBy(() -> client().prepare(TARGET).timeout(Duration.ofMillis(200))
                .call("slow", Map.of("millis", 3000), String.class))
                .isInstanceOf(MessagingTimeout.class).hasMessageContaining("within PT0.2S");
    }

    @Test
    void tokenAuthRefusesMissingAndWrongTokens() throws Exception {
        RpcServer s = server(new TestApi("host-1"), builder().target(TARGET).token("s3cret"));
        assertThatThrownBy(() -> client().prepare(TARGET).call("echo", Map.of("text", "x"), String.class))
                .isInstanceOf(AccessDenied.class).hasMessageContaining("requires a token");
        assertThatThrownBy(() -> client(RpcClient.builder(store()).token("guess")).prepare(TARGET)
                .call("echo", Map.of("text", "x"), String.class))
                .isInstanceOf(AccessDenied.class).hasMessageContaining("wrong").hasMessageNotContaining("s3cret");
        assertThat(client(RpcClient.builder(store()).token("s3cret")).prepare(TARGET)
                .call("echo", Map.of("text", "x"), String.class)).isEqualTo("x");

        HttpResponse<String> missing = post(s, "/v1/rpc/nova.conductor", "application/json", "{}", null);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).contains("Bearer");
        assertThat(post(s, "/v1/rpc/nova.conductor", "application/json", "{}", "guess").statusCode()).isEqualTo(403);
        HttpResponse<String> health = raw.send(HttpRequest.newBuilder(URI.create(s.endpoint().baseUri() + "/healthz"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
    }

    @Test
    void badRequestsGetClearErrorsInTheSameJsonShape() throws Exception {
        RpcServer s = track(builder().target(TARGET).endpoint(new TestApi("h")).maxBodyBytes(4096)
                .start());
        String path = "/v1/rpc/nova.conductor";

        HttpResponse<String> malformed = post(s, path, "application/json", "{\"kind\": \"call\", \"method\": ", null);
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(json(malformed.body()).at("/error/type").asText()).isEqualTo("InvalidRequest");
        assertThat(json(malformed.body()).at("/error/message").asText()).contains("not a valid RPC request")
                .contains("line 1");

        HttpResponse<String> typo = post(s, path, "application/json", "{\"kind\":\"call\",\"methd\":\"echo\"}", null);
        assertThat(typo.statusCode()).isEqualTo(400);
        assertThat(json(typo.body()).at("/error/message").asText()).contains("methd");

        HttpResponse<String> kind = post(s, path, "application/json", "{\"kind\":\"send\",\"method\":\"echo\"}", null);
        assertThat(json(kind.body()).at("/error/message").asText()).isEqualTo("kind must be call or cast, not send");

        HttpResponse<String> text = post(s, path, "text/plain", "hello", null);
        assertThat(text.statusCode()).isEqualTo(415);
        assertThat(json(text.body()).at("/error/type").asText()).isEqualTo("InvalidRequest");

        HttpResponse<String> big = post(s, path, "application/json",
                "{\"kind\":\"call\",\"method\":\"echo\",\"args\":{\"text\":\"" + "x".repeat(10_000) + "\"}}", null);
        assertThat(big.statusCode()).isEqualTo(413);
        assertThat(json(big.body()).at("/error/message").asText()).contains("larger than 4096 bytes");

        HttpResponse<String> other = post(s, "/v1/rpc/nova.scheduler", "application/json",
                "{\"kind\":\"call\",\"method\":\"echo\"}", null);
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(json(other.body()).at("/error/type").asText()).isEqualTo("InvalidTarget");

        HttpResponse<String> nowhere = post(s, "/v2/elsewhere", "application/json", "{}", null);
        assertThat(nowhere.statusCode()).isEqualTo(404);
        assertThat(json(nowhere.body()).at("/error/type").asText()).isEqualTo("HttpError");
    }

    @Test
    void serversTakePortsFromTheRangeAndSayWhenItIsExhausted() throws Exception {
        int first = freeAdjacentPorts();
        PortRange range = new PortRange(first, first + 1);
        RpcServer a = track(builder().target(TARGET).endpoint(new TestApi("a")).portRange(range).start());
        RpcServer b = track(builder().target(TARGET).endpoint(new TestApi("b")).portRange(range).start());
        assertThat(Set.of(a.port(), b.port())).containsExactlyInAnyOrder(first, first + 1);
        assertThatThrownBy(() -> builder().target(TARGET).endpoint(new TestApi("c")).portRange(range)
                .start()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no free port in hotline.http.port-range " + first + ":" + (first + 1));
    }

    /**
     * The first of two adjacent free ports below Linux's ephemeral range (32768 up), where the clients' own outgoing
     * connections, which take ephemeral ports, cannot take one between the probe and the server's bind.
     */
    private static int freeAdjacentPorts() {
        Random random = new Random();
        for (int attempt = 0; attempt < 100; attempt++) {
            int first = 20_000 + random.nextInt(12_000);
            try (ServerSocket a = new ServerSocket(first); ServerSocket b = new ServerSocket(first + 1)) {
                return first;
            } catch (IOException taken) {
                // try another pair
            }
        }
        throw new IllegalStateException("no two adjacent free ports in 20000..32000 after 100 tries");
    }

    @Test
    void serverTargetedCallsGoToThatServerOnly() {
        server(new TestApi("host-a"));
        server(new TestApi("host-b"));
        RpcClient c = client();
        Set<String> answered = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            answered.add(c.prepare(TARGET.server("host-b")).call("server", Map.of(), String.class));
        }
        assertThat(answered).containsExactly("host-b");
        assertThatThrownBy(() -> c.prepare(TARGET.server("host-z")).call("server", Map.of(), String.class))
                .isInstanceOf(InvalidTarget.class).hasMessageContaining("host-z").hasMessageContaining("host-a");
    }

    @Test
    void aServerThatRefusesConnectionsIsSkipped() throws Exception {
        EndpointStore store = store();
        int dead = RpcFleet.deadPort();
        store.register(Endpoint.builder(TARGET.service()).host("127.0.0.1").port(dead).zone(ZONE).build(),
                HealthPolicy.DEFAULT);
        server(new TestApi("alive"));
        RpcClient c = client();
        for (int i = 0; i < 20; i++) {
            assertThat(c.prepare(TARGET).call("server", Map.of(), String.class)).isEqualTo("alive");
        }
    }

    @Test
    void closingDeregistersTheServer() {
        EndpointStore store = store();
        RpcServer s = RpcServer.builder(store).target(TARGET).drainDelay(Duration.ZERO).endpoint(new TestApi("h")).start();
        assertThat(store.list(TARGET.service(), ZONE)).extracting(st -> st.endpoint().port()).containsExactly(s.port());
        s.close();
        assertThat(store.list(TARGET.service(), ZONE)).isEmpty();
    }

    @Test
    void servesItsOpenApiDocument() throws Exception {
        RpcServer s = server(new TestApi("h"));
        HttpResponse<String> doc = raw.send(HttpRequest.newBuilder(URI.create(s.endpoint().baseUri() + "/openapi.json"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(doc.statusCode()).isEqualTo(200);
        JsonNode api = json(doc.body());
        assertThat(api.at("/openapi").asText()).isEqualTo("3.0.3");
        assertThat(api.at("/paths").has("/v1/rpc/{service}")).isTrue();
    }

    @Test
    void readsThePortRangeAndTokenFromTheProposalsIniSections(@TempDir Path dir)
            throws Exception {
        int first;
        try (ServerSocket probe = new ServerSocket(0)) {
            first = probe.getLocalPort();
        }
        java.nio.file.Path ini = dir.resolve("nova.conf");
        java.nio.file.Files.writeString(ini, "[oslo_messaging_http]\nport_range = " + first + ":" + (first + 5) + "\n\n"
                + "[http_driver]\nhttp_token = s3cret\nlisten_timeout = 30\n");
        RpcServer s = track(builder().target(TARGET).endpoint(new TestApi("ini"))
                .config(HotlineConfig.fromFile(ini)).start());
        assertThat(s.port()).isBetween(first, first + 5);
        assertThatThrownBy(() -> client().prepare(TARGET).call("server", Map.of(), String.class))
                .isInstanceOf(AccessDenied.class);
        assertThat(client(RpcClient.builder(store()).token("s3cret")).prepare(TARGET).call("server", Map.of(),
                String.class)).isEqualTo("ini");
    }

    @Test
    void aFullServerAnswers503AndTheClientTriesAnother() throws Exception {
        TestApi busyApi = new TestApi("busy");
        RpcServer busy = server(busyApi, builder().target(TARGET.server("busy")).maxConcurrentCalls(1)
                .castExecution(1, 1));
        RpcClient c = client();
        java.util.concurrent.CompletableFuture<String> hog = c.prepare(TARGET.server("busy"))
                .callAsync("hold", Map.of(), String.class);
        assertThat(busyApi.holding.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        HttpResponse<String> refused = post(busy, "/v1/rpc/nova.conductor", "application/json",
                "{\"kind\":\"call\",\"method\":\"server\"}", null);
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).contains("1");
        assertThat(json(refused.body()).at("/error/type").asText()).isEqualTo("ServerBusy");
        assertThatThrownBy(() -> c.prepare(TARGET.server("busy")).call("server", Map.of(), String.class))
                .isInstanceOf(ServerBusy.class);

        server(new TestApi("idle"));
        await().atMost(Duration.ofSeconds(5)).until(() -> c.prepare(TARGET).call("server", Map.of(), String.class)
                .equals("idle"));
        for (int i = 0; i < 20; i++) {
            assertThat(c.prepare(TARGET).call("server", Map.of(), String.class)).as("busy refuses, idle answers")
                    .isEqualTo("idle");
        }
        busyApi.release.countDown();
        assertThat(hog.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("released");
    }

    @Test
    void aRollingRestartLosesNoCall() throws Exception {
        RpcServer old = server(new TestApi("old"), builder().target(TARGET).drainDelay(Duration.ofMillis(300)));
        RpcClient c = client();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        Set<String> answeredBy = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread caller = new Thread(() -> {
            for (int i = 0; i < 100_000 && running.get(); i++) {
                try {
                    answeredBy.add(c.prepare(TARGET).call("server", Map.of(), String.class));
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }
        });
        caller.start();
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> answeredBy.contains("old"));
            server(new TestApi("new"));
            await().atMost(Duration.ofSeconds(5)).until(() -> answeredBy.contains("new"));
            fleet.closeNow(old);
            answeredBy.clear();
            await().atMost(Duration.ofSeconds(5)).until(() -> answeredBy.contains("new"));
        } finally {
            running.set(false);
            caller.join(10_000);
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void metricsCountRequestsByMethodAndOutcomeWithoutTrustingClientMethodNames() throws Exception {
        RpcServer s = server(new TestApi("m"), builder().target(TARGET).token("t0k"));
        RpcClient c = client(RpcClient.builder(store()).token("t0k"));
        for (int i = 0; i < 3; i++) {
            c.prepare(TARGET).call("echo", Map.of("text", "x"), String.class);
        }
        assertThatThrownBy(() -> c.prepare(TARGET).call("no_such_" + UUID.randomUUID().toString().substring(0, 6),
                Map.of(), String.class)).isInstanceOf(NoSuchMethod.class);
        c.prepare(TARGET).cast("record", Map.of("event", "e"));

        HttpRequest.Builder scrape = HttpRequest.newBuilder(URI.create(s.endpoint().baseUri() + "/metrics"));
        assertThat(raw.send(scrape.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        HttpResponse<String> metrics = raw.send(scrape.header("Authorization", "Bearer t0k").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("text/plain"));
        assertThat(metrics.body())
                .containsPattern("hotline_rpc_server_requests_seconds_count\\{[^}]*method=\"echo\"[^}]*outcome=\"ok\""
                        + "[^}]*} 3")
                .containsPattern("hotline_rpc_server_requests_seconds_count\\{[^}]*kind=\"cast\"[^}]*outcome=\"accepted\"")
                .containsPattern("method=\"-\"[^}]*outcome=\"NoSuchMethod\"")
                .doesNotContain("no_such_")
                .contains("hotline_rpc_server_calls_active");
    }

    @Test
    void speaksH2cBesideHttp11() throws Exception {
        RpcServer s = server(new TestApi("h2"));
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        // The JDK client upgrades to h2c on a request without a body; the connection then stays HTTP/2.
        HttpResponse<String> health = h2.send(HttpRequest.newBuilder(URI.create(s.endpoint().baseUri() + "/healthz"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.version()).isEqualTo(HttpClient.Version.HTTP_2);
        HttpResponse<String> reply = h2.send(HttpRequest.newBuilder(URI.create(s.endpoint().baseUri()
                + "/v1/rpc/nova.conductor")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"kind\":\"call\",\"method\":\"server\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(reply.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(json(reply.body()).at("/result").asText()).isEqualTo("h2");
    }

    @Test
    void theCallMonitorKeepsLongCallsAliveAndGivesUpOnDeadServers() throws Exception {
        TestApi api = new TestApi("long");
        server(api);
        RpcClient c = client();
        java.util.concurrent.CompletableFuture<String> longCall = c.prepare(TARGET).timeout(Duration.ofSeconds(30))
                .callMonitor(Duration.ofMillis(100)).callAsync("hold", Map.of(), String.class);
        assertThat(api.holding.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        Thread.sleep(500);
        assertThat(longCall).as("probed several times while running, still waiting").isNotDone();
        api.release.countDown();
        assertThat(longCall.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("released");

        // A host that accepts connections and never answers, as one that hangs or lost power mid-call.
        try (ServerSocket blackHole = new ServerSocket(0)) {
            EndpointStore store = store();
            Target hung = Target.topic("hung").exchange("nova");
            store.register(Endpoint.builder(hung.service()).host("127.0.0.1").port(blackHole.getLocalPort())
                    .zone(ZONE).build(), HealthPolicy.DEFAULT);
            assertThatThrownBy(() -> client().prepare(hung).timeout(Duration.ofSeconds(30))
                    .callMonitor(Duration.ofMillis(200)).call("anything", Map.of(), String.class))
                    .isInstanceOf(MessagingTimeout.class).hasMessageContaining("call monitor found")
                    .hasMessageContaining("stopped answering");
        }
    }

    @Test
    void castsAcceptedBeforeStopAllRun() {
        TestApi api = new TestApi("stopping");
        RpcServer s = builder().target(TARGET).endpoint(api).castExecution(1, 100).start();
        RpcClient c = client();
        for (int i = 0; i < 20; i++) {
            c.prepare(TARGET).cast("recordSlowly", Map.of("event", "cast-" + i));
        }
        s.close();
        assertThat(api.events).hasSize(20);
    }

    @Test
    void servesTheOperatorsApiDocumentWhenConfigured(@TempDir Path dir) throws Exception {
        Path doc = dir.resolve("api.json");
        java.nio.file.Files.writeString(doc, "{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"ours\", \"version\": \"1\"},"
                + " \"paths\": {}}");
        Path ini = dir.resolve("nova.conf");
        java.nio.file.Files.writeString(ini, "[http_driver]\nhttp_api_config_file = " + doc + "\n");
        RpcServer s = server(new TestApi("doc"), builder().config(HotlineConfig.fromFile(ini)));
        HttpResponse<String> served = raw.send(HttpRequest.newBuilder(URI.create(s.endpoint().baseUri()
                + "/openapi.json")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(json(served.body()).at("/info/title").asText()).isEqualTo("ours");

        java.nio.file.Files.writeString(doc, "{\"swagger\": \"2.0\"}");
        assertThatThrownBy(() -> builder().endpoint(new TestApi("x")).apiDocument(doc).start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an OpenAPI 3 document");
    }
}

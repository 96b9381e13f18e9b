package io.hotline.broadcaster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hotline.discovery.Directory;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Query;
import io.hotline.discovery.Zone;
import io.hotline.discovery.ZoneScope;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.AccessDenied;
import io.hotline.rpc.FanoutReport.Delivery;
import io.hotline.rpc.FanoutReport.Outcome;
import io.hotline.rpc.FanoutReport;
import io.hotline.rpc.InvalidTarget;
import io.hotline.rpc.server.ListenerSettings;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.Target;
import io.hotline.rpc.server.testing.RpcFleet;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The broadcaster end to end: real RPC servers, a real broadcaster and client on loopback, one memory space. */
class BroadcasterTest {

    private static final Target TARGET = Fleet.TARGET;
    private static final Target FANOUT = Fleet.FANOUT;
    private static final Zone AZ1 = Fleet.AZ1;
    private static final Zone AZ2 = Fleet.AZ2;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Fleet fleet = Fleet.inMemory();
    private final HttpClient raw = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void closeAll() throws Exception {
        fleet.close();
    }

    private <T extends AutoCloseable> T track(T c) {
        return fleet.track(c);
    }

    private EndpointStore store(Zone zone) {
        return fleet.store(zone);
    }

    private Recorder server(String name, Zone zone, String token) {
        return fleet.server(name, zone, token);
    }

    private Recorder server(String name) {
        return fleet.server(name);
    }

    private Broadcaster.Builder broadcasterBuilder(Zone zone) {
        return fleet.broadcasterBuilder(zone);
    }

    private Broadcaster broadcaster() {
        return fleet.broadcaster();
    }

    private RpcClient client(String token) {
        return fleet.client(token);
    }

    private RpcClient client() {
        return fleet.client();
    }

    private HttpResponse<String> post(Broadcaster b, String service, String body, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(b.endpoint().baseUri() + "/v1/fanout/" + service))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return raw.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int count(Recorder r, String event) {
        return Fleet.count(r, event);
    }

    @Test
    void aFanoutCastReachesEveryServerExactlyOnce() {
        List<Recorder> servers = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            servers.add(server("host-" + i));
        }
        broadcaster();
        RpcClient client = client();

        client.prepare(FANOUT).cast("record", Map.of("event", "plain"));
        await().atMost(Duration.ofSeconds(10)).until(() -> servers.stream().allMatch(s -> count(s, "plain") == 1));

        // With a report the answer comes once every server has queued the cast; each then runs it once.
        FanoutReport report = client.prepare(FANOUT).fanoutWithReport("record", Map.of("event", "reported"));
        assertThat(report.targeted()).isEqualTo(5);
        assertThat(report.delivered()).isEqualTo(5);
        await().atMost(Duration.ofSeconds(10)).until(() -> servers.stream().allMatch(s -> count(s, "reported") >= 1));
        assertThat(servers).allSatisfy(s -> {
            assertThat(count(s, "plain")).isEqualTo(1);
            assertThat(count(s, "reported")).isEqualTo(1);
        });
    }

    @Test
    void theReportListsEveryServerWithItsOutcome() {
        server("host-1");
        server("host-2");
        server("host-3");
        broadcaster();
        FanoutReport report = client().prepare(FANOUT).fanoutWithReport("record", Map.of("event", "x"));

        assertThat(report.msgId()).isNotBlank();
        assertThat(report.failed()).isZero();
        assertThat(report.note()).isNull();
        assertThat(report.results()).extracting(Delivery::server)
                .containsExactlyInAnyOrder("host-1", "host-2", "host-3");
        assertThat(report.results()).allSatisfy(d -> {
            assertThat(d.outcome()).isEqualTo(Outcome.DELIVERED);
            assertThat(d.status()).isEqualTo(202);
            assertThat(d.reason()).isNull();
        });
    }

    @Test
    void aDeadServerIsReportedRefusedWhileTheOthersGetTheCast() throws Exception {
        Recorder alive1 = server("alive-1");
        Recorder alive2 = server("alive-2");
        int dead = RpcFleet.deadPort();
        store(AZ1).register(Endpoint.builder(TARGET.service()).server("dead").host("127.0.0.1").port(dead).zone(AZ1)
                .build(), HealthPolicy.DEFAULT);
        Broadcaster broadcaster = broadcaster();

        FanoutReport report = client().prepare(FANOUT).fanoutWithReport("record", Map.of("event", "x"));

        assertThat(report.targeted()).isEqualTo(3);
        assertThat(report.delivered()).isEqualTo(2);
        assertThat(report.failed()).isEqualTo(1);
        Delivery refused = report.results().stream().filter(d -> d.server().equals("dead")).findFirst().orElseThrow();
        assertThat(refused.outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(refused.reason()).contains("refused").contains("retry");
        await().atMost(Duration.ofSeconds(10)).until(() -> count(alive1, "x") == 1 && count(alive2, "x") == 1);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(metrics(broadcaster, null))
                .contains("hotline_broadcaster_fanouts_total 1.0")
                .contains("hotline_broadcaster_fanout_targets_sum 3.0")
                .contains("hotline_broadcaster_deliveries_total{outcome=\"delivered\"} 2.0")
                .contains("hotline_broadcaster_deliveries_total{outcome=\"refused\"} 1.0")
                .contains("hotline_broadcaster_fanout_duration_seconds_count 1"));
    }

    private String metrics(Broadcaster b, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(b.endpoint().baseUri() + "/metrics"));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = raw.send(r.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    @Test
    void aHungServerIsReportedTimedOutAfterThePerTargetTimeout() throws Exception {
        Recorder alive = server("alive");
        try (ServerSocket blackHole = new ServerSocket(0)) {
            // The kernel completes the connection from the backlog; nothing ever reads or answers.
            store(AZ1).register(Endpoint.builder(TARGET.service()).server("hung").host("127.0.0.1")
                    .port(blackHole.getLocalPort()).zone(AZ1).build(), HealthPolicy.DEFAULT);
            track(broadcasterBuilder(AZ1).perTargetTimeout(Duration.ofMillis(300)).start());

            FanoutReport report = client().prepare(FANOUT).fanoutWithReport("record", Map.of("event", "x"));

            Delivery hung = report.results().stream().filter(d -> d.server().equals("hung")).findFirst().orElseThrow();
            assertThat(hung.outcome()).isEqualTo(Outcome.TIMED_OUT);
            assertThat(hung.reason()).contains("PT0.3S");
            Delivery ok = report.results().stream().filter(d -> d.server().equals("alive")).findFirst().orElseThrow();
            assertThat(ok.outcome()).isEqualTo(Outcome.DELIVERED);
            await().atMost(Duration.ofSeconds(10)).until(() -> count(alive, "x") == 1);
        }
    }

    @Test
    void theTokenIsRequiredByTheBroadcasterAndForwardedToTheServers() throws Exception {
        Recorder a = server("a", AZ1, "s3cret");
        Recorder b = server("b", AZ1, "s3cret");
        Broadcaster broadcaster = track(broadcasterBuilder(AZ1).token("s3cret").start());
        String cast = "{\"kind\":\"cast\",\"method\":\"record\",\"args\":{\"event\":\"raw\"}}";

        HttpResponse<String> missing = post(broadcaster, TARGET.service(), cast, null);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(JSON.readTree(missing.body()).at("/error/type").asText()).isEqualTo("AccessDenied");
        assertThat(post(broadcaster, TARGET.service(), cast, "wrong").statusCode()).isEqualTo(403);
        assertThatThrownBy(() -> client("wrong").prepare(FANOUT).cast("record", Map.of("event", "x")))
                .isInstanceOf(AccessDenied.class);

        FanoutReport report = client("s3cret").prepare(FANOUT).fanoutWithReport("record", Map.of("event", "ok"));
        assertThat(report.delivered()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> count(a, "ok") == 1 && count(b, "ok") == 1);
        assertThat(a.events).doesNotContain("x", "raw");
        assertThat(metrics(broadcaster, "s3cret")).contains("hotline_broadcaster_fanouts_total");
        HttpResponse<String> unauthorized = raw.send(HttpRequest.newBuilder(URI.create(broadcaster.endpoint().baseUri()
                + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unauthorized.statusCode()).isEqualTo(401);
    }

    @Test
    void aServerRefusingTheCastIsReportedRejectedWithItsReason() {
        server("open");
        server("locked", AZ1, "other-token");
        broadcaster();
        FanoutReport report = client().prepare(FANOUT).fanoutWithReport("record", Map.of("event", "x"));

        Delivery locked = report.results().stream().filter(d -> d.server().equals("locked")).findFirst().orElseThrow();
        assertThat(locked.outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(locked.status()).isEqualTo(401);
        assertThat(locked.reason()).startsWith("AccessDenied");
        assertThat(report.delivered()).isEqualTo(1);
    }

    @Test
    void callsCannotGoToAFanoutTargetAndWithoutABroadcasterFanoutIsAClearError() {
        server("host-1");
        RpcClient client = client();
        assertThatThrownBy(() -> client.prepare(FANOUT).call("record", Map.of("event", "x"), Object.class))
                .isInstanceOf(InvalidTarget.class).hasMessageContaining("fanout");
        assertThatThrownBy(() -> client.prepare(FANOUT).cast("record", Map.of("event", "x")))
                .isInstanceOf(InvalidTarget.class).hasMessageContaining("no broadcaster registered")
                .hasMessageContaining(RpcClient.BROADCASTER_SERVICE);
        assertThatThrownBy(() -> client.prepare(TARGET).fanoutWithReport("record", Map.of()))
                .isInstanceOf(InvalidTarget.class).hasMessageContaining("asFanout");
    }

    @Test
    void zonesAreTheHomeZoneByDefaultAndAllOrNamedOnRequest() {
        Recorder home1 = server("home-1", AZ1, null);
        Recorder home2 = server("home-2", AZ1, null);
        Recorder away = server("away", AZ2, null);
        broadcaster();
        RpcClient client = client();

        FanoutReport home = client.prepare(FANOUT).fanoutWithReport("record", Map.of("event", "home"));
        assertThat(home.results()).extracting(Delivery::server).containsExactlyInAnyOrder("home-1", "home-2");

        FanoutReport all = client.prepare(FANOUT).fanoutScope(ZoneScope.all())
                .fanoutWithReport("record", Map.of("event", "all"));
        assertThat(all.results()).extracting(Delivery::server).containsExactlyInAnyOrder("home-1", "home-2", "away");
        assertThat(all.delivered()).isEqualTo(3);

        FanoutReport named = client.prepare(FANOUT).fanoutScope(ZoneScope.in(AZ2))
                .fanoutWithReport("record", Map.of("event", "named"));
        assertThat(named.results()).extracting(Delivery::server).containsExactly("away");

        await().atMost(Duration.ofSeconds(10)).until(() -> away.events.contains("named"));
        assertThat(away.events).containsExactly("all", "named");
        assertThat(home1.events).containsExactly("home", "all");
        assertThat(home2.events).containsExactly("home", "all");
        assertThatThrownBy(() -> client.prepare(FANOUT).fanoutScope(ZoneScope.nearest()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void noServerIsNotAnErrorButSaysSo() throws Exception {
        Broadcaster broadcaster = broadcaster();
        FanoutReport report = client().prepare(FANOUT).fanoutWithReport("record", Map.of("event", "x"));
        assertThat(report.targeted()).isZero();
        assertThat(report.results()).isEmpty();
        assertThat(report.note()).contains("no healthy server of nova.compute");

        HttpResponse<String> accepted = post(broadcaster, TARGET.service(),
                "{\"kind\":\"cast\",\"method\":\"record\",\"args\":{}}", null);
        assertThat(accepted.statusCode()).isEqualTo(202);
        JsonNode body = JSON.readTree(accepted.body());
        assertThat(body.get("targeted").asInt()).isZero();
        assertThat(body.get("msg_id").asText()).isNotBlank();
        assertThat(body.get("note").asText()).contains("no healthy server");
    }

    @Test
    void badRequestsGetAClearError() throws Exception {
        Broadcaster broadcaster = broadcaster();
        String service = TARGET.service();
        assertBadRequest(post(broadcaster, service, "not json", null), "not a valid fanout request");
        assertBadRequest(post(broadcaster, service, "{\"kind\":\"call\",\"method\":\"m\"}", null), "kind must be cast");
        assertBadRequest(post(broadcaster, service, "{\"kind\":\"cast\",\"method\":\"m\",\"zones\":\"nearby\"}", null),
                "zones must be");
        assertBadRequest(post(broadcaster, service, "{\"kind\":\"cast\",\"method\":\"m\",\"zones\":[\"bad zone!\"]}",
                null), "zone path");
        assertBadRequest(post(broadcaster, service, "{\"kind\":\"cast\",\"method\":\"m\",\"colour\":1}", null),
                "colour");
        assertBadRequest(post(broadcaster, "-not-a-service", "{\"kind\":\"cast\",\"method\":\"m\"}", null),
                "service");

        HttpResponse<String> wrongType = raw.send(HttpRequest.newBuilder(URI.create(broadcaster.endpoint().baseUri()
                + "/v1/fanout/" + service)).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrongType.statusCode()).isEqualTo(415);
    }

    private static void assertBadRequest(HttpResponse<String> response, String saying) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode error = JSON.readTree(response.body()).get("error");
        assertThat(error.get("type").asText()).isEqualTo("InvalidRequest");
        assertThat(error.get("message").asText()).contains(saying);
    }

    @Test
    void closingFinishesTheFanoutsInFlight() throws Exception {
        CountDownLatch received = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        try (ServerSocket slow = new ServerSocket(0)) {
            // A server that takes the cast and answers only when the test says so.
            Thread fake = new Thread(() -> {
                try (Socket s = slow.accept()) {
                    readRequest(s.getInputStream());
                    received.countDown();
                    answer.await();
                    s.getOutputStream().write(("HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 2\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "slow-server");
            fake.setDaemon(true);
            fake.start();
            store(AZ1).register(Endpoint.builder(TARGET.service()).server("slow").host("127.0.0.1")
                    .port(slow.getLocalPort()).zone(AZ1).build(), HealthPolicy.DEFAULT);
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            Broadcaster broadcaster = broadcasterBuilder(AZ1).meterRegistry(registry)
                    .perTargetTimeout(Duration.ofSeconds(30))
                    .listener(ListenerSettings.DEFAULT.grace(Duration.ofSeconds(30))).start();

            client().prepare(FANOUT).cast("record", Map.of("event", "x"));     // 202: the cast is under way
            assertThat(received.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Void> closing = CompletableFuture.runAsync(broadcaster::close);
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    store(AZ1).list(RpcClient.BROADCASTER_SERVICE, AZ1).isEmpty());
            assertThat(closing).isNotDone();

            answer.countDown();
            closing.get(20, TimeUnit.SECONDS);
            assertThat(registry.scrape()).contains("hotline_broadcaster_deliveries_total{outcome=\"delivered\"} 1.0");
        }
    }

    /** Reads one HTTP request: headers, then Content-Length bytes of body. */
    private static void readRequest(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IllegalStateException("the request ended early: " + head);
            }
            head.append((char) c);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).strip());
            }
        }
        in.readNBytes(length);
    }

    @Test
    void theBroadcasterRegistersWithHealthAndDeregistersOnClose() throws Exception {
        Broadcaster broadcaster = broadcasterBuilder(AZ2).start();
        EndpointStore observer = store(AZ2);
        assertThat(observer.list(RpcClient.BROADCASTER_SERVICE, AZ2))
                .anySatisfy(s -> {
                    assertThat(s.endpoint().id()).isEqualTo(broadcaster.endpoint().id());
                    assertThat(s.isPassing()).isTrue();
                });
        HttpResponse<String> health = raw.send(HttpRequest.newBuilder(URI.create(broadcaster.endpoint().baseUri()
                + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);

        broadcaster.close();
        assertThat(observer.list(RpcClient.BROADCASTER_SERVICE, AZ2)).isEmpty();
    }

    @Test
    void aBroadcasterAndClientsShareOneDirectoryThatOutlivesThem() {
        List<Recorder> servers = List.of(server("host-1"), server("host-2"), server("host-3"));
        Directory directory = track(Directory.builder(store(AZ1)).build());
        Broadcaster broadcaster = broadcasterBuilder(AZ1).directory(directory).start();
        RpcClient first = RpcClient.builder(directory).timeout(Duration.ofSeconds(20)).build();
        RpcClient second = track(RpcClient.builder(directory).timeout(Duration.ofSeconds(20)).build());

        assertThat(first.prepare(FANOUT).fanoutWithReport("record", Map.of("event", "first")).delivered()).isEqualTo(3);
        first.close();
        assertThat(second.prepare(FANOUT).fanoutWithReport("record", Map.of("event", "second")).delivered())
                .isEqualTo(3);
        broadcaster.close();

        assertThat(directory.resolve(Query.of(TARGET.service())).endpoints()).hasSize(3);
        await().atMost(Duration.ofSeconds(10)).until(() -> servers.stream()
                .allMatch(s -> count(s, "first") == 1 && count(s, "second") == 1));
        assertThatThrownBy(() -> broadcasterBuilder(AZ1).zone(AZ2).directory(directory).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not its shared directory's zone " + AZ1);
    }
}

package io.hotline.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Keystone harness against the real Keystone that scripts/install-keystone installs. Two instances serve the
 * read and write checks for the whole class; the lifecycle checks start their own.
 */
class KeystoneServerIT {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .proxy(HttpClient.Builder.NO_PROXY)
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private static final ObjectMapper JSON = new ObjectMapper();
    // Generous: the machine is shared with other builds.
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    /** A refused connection on loopback takes well under a millisecond; this bounds "at once" on a loaded machine. */
    private static final Duration FAIL_FAST = Duration.ofSeconds(1);

    private static final Closer SHARED = new Closer();
    private static KeystoneServer one;
    private static KeystoneServer two;

    private final Closer closer = new Closer();

    @BeforeAll
    static void startTwoAtOnce() throws Exception {
        long t0 = System.nanoTime();
        one = SHARED.track(KeystoneServer.builder().name("keystone-one").regionId("region-one")
                .region("az-1", "region-one").region("rack-7", "az-1").region("edge", null).build());
        long t1 = System.nanoTime();
        two = SHARED.track(KeystoneServer.builder().name("keystone-two").adminPassword("two's password").build());
        long t2 = System.nanoTime();
        CompletableFuture<Long> startOne = CompletableFuture.supplyAsync(() -> timed(one::start));
        CompletableFuture<Long> startTwo = CompletableFuture.supplyAsync(() -> timed(two::start));
        System.out.printf("keystone timings: first build (template + copy) %d ms, second build (copy) %d ms, "
                        + "starts side by side %d ms and %d ms%n", millis(t1 - t0), millis(t2 - t1), startOne.get(),
                startTwo.get());
    }

    @AfterAll
    static void closeShared() throws Exception {
        SHARED.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        closer.close();
    }

    @Test
    void twoInstancesRunAtOnceAndEachAcceptsOnlyTheTokensItIssued() throws Exception {
        assertThat(one.port()).isNotEqualTo(two.port());
        assertThat(one.url()).isEqualTo("http://127.0.0.1:" + one.port() + "/v3");
        assertThat(two.adminPassword()).isEqualTo("two's password");
        assertThat(one.adminPassword()).isNotEqualTo(two.adminPassword()).hasSizeGreaterThanOrEqualTo(20);

        HttpResponse<String> issued = authenticate(one, KeystoneServer.ADMIN, one.adminPassword());
        assertThat(issued.statusCode()).isEqualTo(201);
        String token = issued.headers().firstValue("X-Subject-Token").orElseThrow();
        JsonNode body = JSON.readTree(issued.body()).path("token");
        assertThat(body.path("project").path("name").asText()).isEqualTo("admin");
        assertThat(body.path("roles").findValuesAsText("name")).contains("admin", "reader", "member");

        // Clients take the server's clock from it; uWSGI alone sends none.
        Instant date = issued.headers().firstValue("Date").map(d -> ZonedDateTime.parse(d,
                DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()).orElseThrow();
        assertThat(Duration.between(date, Instant.now()).abs()).isLessThan(Duration.ofMinutes(1));

        assertThat(validate(one, token).statusCode()).isEqualTo(200);
        assertThat(validate(one, one.token()).statusCode()).isEqualTo(200);
        // Each instance has its own fernet keys, as two clouds would.
        assertThat(validate(two, token).statusCode()).isEqualTo(401);
        assertThat(authenticate(one, KeystoneServer.ADMIN, two.adminPassword()).statusCode()).isEqualTo(401);
        assertThat(validate(two, two.token()).statusCode()).isEqualTo(200);
    }

    @Test
    void theBootstrapCatalogPointsAtTheInstanceInItsRegionBesideTheBuildersRegions() throws Exception {
        JsonNode regions = get(one, "/regions", one.token()).path("regions");
        assertThat(parents(regions)).containsExactlyInAnyOrder("region-one<-", "az-1<-region-one", "rack-7<-az-1",
                "edge<-");
        assertThat(parents(get(two, "/regions", two.token()).path("regions")))
                .containsExactly(KeystoneServer.DEFAULT_REGION + "<-");

        for (KeystoneServer server : List.of(one, two)) {
            JsonNode catalog = get(server, "/auth/catalog", server.token()).path("catalog");
            assertThat(catalog).hasSize(1);
            assertThat(catalog.path(0).path("type").asText()).isEqualTo("identity");
            JsonNode endpoints = catalog.path(0).path("endpoints");
            assertThat(endpoints.findValuesAsText("interface")).containsExactlyInAnyOrder("public", "internal",
                    "admin");
            assertThat(endpoints.findValuesAsText("url")).containsOnly(server.url());
            assertThat(endpoints.findValuesAsText("region_id")).containsOnly(server.regionId());
        }
    }

    @Test
    void anEndpointKeepsItsExtraAttributes() throws Exception {
        String token = one.token();
        String service = createService(one, token, "hotline.extra", true);
        ObjectNode endpoint = endpointBody(service, "rpc://127.0.0.1:9/extra");
        ((ObjectNode) endpoint.path("endpoint")).putObject("hotline").put("id", "x");
        String id = post(one, "/endpoints", token, endpoint).path("endpoint").path("id").asText();

        JsonNode listed = get(one, "/endpoints?service_id=" + service, token).path("endpoints");
        assertThat(listed).hasSize(1);
        assertThat(listed.path(0).path("id").asText()).isEqualTo(id);
        assertThat(listed.path(0).path("url").asText()).isEqualTo("rpc://127.0.0.1:9/extra");
        assertThat(listed.path(0).path("hotline")).isEqualTo(JSON.readTree("{\"id\": \"x\"}"));
    }

    @Test
    void aDisabledServicesEndpointsAreListedButLeftOutOfTheCatalog() throws Exception {
        String token = one.token();
        String hidden = createService(one, token, "hotline.hidden", false);
        String hiddenEndpoint = post(one, "/endpoints", token, endpointBody(hidden, "rpc://127.0.0.1:9/hidden"))
                .path("endpoint").path("id").asText();
        String shown = createService(one, token, "hotline.shown", true);
        String shownEndpoint = post(one, "/endpoints", token, endpointBody(shown, "rpc://127.0.0.1:9/shown"))
                .path("endpoint").path("id").asText();

        assertThat(get(one, "/endpoints", token).path("endpoints").findValuesAsText("id"))
                .contains(hiddenEndpoint, shownEndpoint);
        JsonNode catalog = get(one, "/auth/catalog", token).path("catalog");
        assertThat(catalog.findValuesAsText("type")).contains("hotline.shown").doesNotContain("hotline.hidden");
        assertThat(catalog.findValuesAsText("id")).contains(shownEndpoint).doesNotContain(hiddenEndpoint, hidden);
    }

    @Test
    void aProjectReaderReadsItsCatalogASystemReaderListsEndpointsAndNeitherWrites() throws Exception {
        String name = "viewer-" + UUID.randomUUID().toString().substring(0, 8);
        String userId = one.createUser(name, "viewer password", "reader");
        assertThat(userId).isNotBlank();
        HttpResponse<String> issued = authenticate(one, name, "viewer password");
        assertThat(issued.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(issued.body()).path("token").path("roles").findValuesAsText("name"))
                .containsExactly("reader");
        String token = issued.headers().firstValue("X-Subject-Token").orElseThrow();

        assertThat(send(one, "GET", "/auth/catalog", token, null).statusCode()).isEqualTo(200);
        assertThat(send(one, "GET", "/regions", token, null).statusCode()).isEqualTo(200);
        assertThat(send(one, "GET", "/endpoints", token, null).statusCode()).isEqualTo(403);
        ObjectNode region = JSON.createObjectNode();
        region.putObject("region").put("id", "not-for-readers");
        assertThat(send(one, "POST", "/regions", token, region).statusCode()).isEqualTo(403);

        // Listing endpoints takes a reader on the system.
        String auditor = "auditor-" + UUID.randomUUID().toString().substring(0, 8);
        one.grantSystemRole(one.createUser(auditor, "auditor password"), "reader");
        HttpResponse<String> system = authenticate(one, auditor, "auditor password", "{\"system\": {\"all\": true}}");
        assertThat(system.statusCode()).isEqualTo(201);
        String systemToken = system.headers().firstValue("X-Subject-Token").orElseThrow();
        assertThat(send(one, "GET", "/endpoints", systemToken, null).statusCode()).isEqualTo(200);
        assertThat(send(one, "POST", "/regions", systemToken, region).statusCode()).isEqualTo(403);

        one.createRegion("az-2", "region-one");
        assertThat(parents(get(one, "/regions", one.token()).path("regions"))).contains("az-2<-region-one")
                .doesNotContain("not-for-readers<-");
        // A role the bootstrap did not make is created on the way.
        String deployer = "deployer-" + UUID.randomUUID().toString().substring(0, 8);
        one.createUser(deployer, "deployer password", "member", "hotline-writer");
        assertThat(JSON.readTree(authenticate(one, deployer, "deployer password").body()).path("token").path("roles")
                .findValuesAsText("name")).contains("member", "hotline-writer");
        assertThatThrownBy(() -> one.createUser(deployer, "again", "reader"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("409")
                .hasMessageNotContaining("again");
    }

    @Test
    void stopThenStartKeepsTheDataThePortAndThePassword() throws Exception {
        KeystoneServer keystone = closer.track(KeystoneServer.builder().name("keystone-restarted").build());
        long started = timed(keystone::start);
        keystone.createRegion("kept", null);
        int port = keystone.port();
        long pid = keystone.process().pid();

        long stopped = timed(keystone::stop);
        assertThat(keystone.isRunning()).isFalse();
        assertThatThrownBy(() -> send(keystone, "GET", "", null, null)).isInstanceOf(ConnectException.class);
        long restarted = timed(keystone::start);
        System.out.printf("keystone timings: start %d ms, stop (SIGTERM) %d ms, start again %d ms%n", started, stopped,
                restarted);

        assertThat(keystone.port()).isEqualTo(port);
        assertThat(keystone.process().pid()).isNotEqualTo(pid);
        assertThat(parents(get(keystone, "/regions", keystone.token()).path("regions"))).contains("kept<-");
    }

    @Test
    void afterAKillRequestsAreRefusedAtOnceAndAStartBringsBackEveryAcknowledgedWrite() throws Exception {
        KeystoneServer keystone = closer.track(KeystoneServer.builder().name("keystone-killed").start());
        keystone.createRegion("survivor", keystone.regionId());
        keystone.kill();
        assertThat(keystone.isRunning()).isFalse();

        long before = System.nanoTime();
        assertThatThrownBy(() -> send(keystone, "GET", "", null, null)).isInstanceOf(ConnectException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(FAIL_FAST);

        keystone.start();
        assertThat(parents(get(keystone, "/regions", keystone.token()).path("regions")))
                .contains("survivor<-" + keystone.regionId());
    }

    @Test
    void aFirstStartWhosePortWasTakenMeanwhileMovesAndTheBootstrapEndpointsFollow() throws Exception {
        KeystoneServer keystone = closer.track(KeystoneServer.builder().name("keystone-moved").build());
        int taken = keystone.port();
        try (ServerSocket holder = new ServerSocket(taken, 1, InetAddress.getByName("127.0.0.1"))) {
            keystone.start();
        }
        assertThat(keystone.port()).isNotEqualTo(taken);
        assertThat(get(keystone, "/auth/catalog", keystone.token()).path("catalog").findValuesAsText("url"))
                .containsOnly(keystone.url());
    }

    @Test
    void theBuilderRefusesRegionsItCannotWrite() {
        assertThatThrownBy(() -> KeystoneServer.builder().region("az-1", "nowhere").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nowhere");
        assertThatThrownBy(() -> KeystoneServer.builder().region("it's", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("letters, digits");
        assertThatThrownBy(() -> KeystoneServer.builder().region(KeystoneServer.DEFAULT_REGION, null).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bootstrap region");
        assertThatThrownBy(() -> KeystoneServer.builder().adminPassword("x".repeat(73)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("72");
    }

    // ---- the Keystone API, by hand ---------------------------------------------------------------------------

    private static String createService(KeystoneServer server, String token, String type, boolean enabled)
            throws Exception {
        ObjectNode service = JSON.createObjectNode();
        service.putObject("service").put("type", type).put("name", type).put("enabled", enabled);
        return post(server, "/services", token, service).path("service").path("id").asText();
    }

    private static ObjectNode endpointBody(String serviceId, String url) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("endpoint").put("service_id", serviceId).put("interface", "internal").put("url", url)
                .put("region_id", one.regionId());
        return body;
    }

    /** Each region as {@code id<-parent}, the parent empty for a root. */
    private static List<String> parents(JsonNode regions) {
        List<String> all = new ArrayList<>();
        regions.forEach(r -> all.add(r.path("id").asText() + "<-"
                + (r.path("parent_region_id").isNull() ? "" : r.path("parent_region_id").asText())));
        return all;
    }

    /** A token scoped to project admin. */
    private static HttpResponse<String> authenticate(KeystoneServer server, String user, String password)
            throws Exception {
        return authenticate(server, user, password, "{\"project\": {\"name\": \"" + KeystoneServer.ADMIN
                + "\", \"domain\": {\"id\": \"" + KeystoneServer.DEFAULT_DOMAIN_ID + "\"}}}");
    }

    private static HttpResponse<String> authenticate(KeystoneServer server, String user, String password,
            String scope) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode auth = body.putObject("auth");
        ObjectNode identity = auth.putObject("identity");
        identity.putArray("methods").add("password");
        identity.putObject("password").putObject("user").put("name", user).put("password", password)
                .putObject("domain").put("id", KeystoneServer.DEFAULT_DOMAIN_ID);
        auth.set("scope", JSON.readTree(scope));
        return send(server, "POST", "/auth/tokens", null, body);
    }

    private static HttpResponse<String> validate(KeystoneServer server, String token) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "/auth/tokens")).timeout(TIMEOUT)
                .header("X-Auth-Token", token).header("X-Subject-Token", token).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode get(KeystoneServer server, String path, String token) throws Exception {
        return expect(200, send(server, "GET", path, token, null));
    }

    private static JsonNode post(KeystoneServer server, String path, String token, JsonNode body) throws Exception {
        return expect(201, send(server, "POST", path, token, body));
    }

    private static JsonNode expect(int status, HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.request().method() + " " + response.uri() + ": "
                + response.body()).isEqualTo(status);
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> send(KeystoneServer server, String method, String path, String token,
            JsonNode body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(TIMEOUT)
                .header("Accept", "application/json");
        if (token != null) {
            b.header("X-Auth-Token", token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json").method(method,
                    HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long timed(Runnable action) {
        long start = System.nanoTime();
        action.run();
        return millis(System.nanoTime() - start);
    }

    private static long millis(long nanos) {
        return Duration.ofNanos(nanos).toMillis();
    }
}

package io.hotline.discovery.keystone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Heartbeater;
import io.hotline.discovery.NotRegisteredException;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.StoreUnavailableException;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.testing.CapturedStderr;
import io.hotline.testing.Certificates;
import io.hotline.testing.Closer;
import io.hotline.testing.KeystoneServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keystone store against a real Keystone, beyond the kit: credentials, roles, foreign endpoints, the reaper. */
class KeystoneStoreIT {

    private static final Zone AZ1 = Zone.of("region-one/az-1");
    private static final HealthPolicy POLICY =
            HealthPolicy.of(Duration.ofMillis(500), Duration.ofSeconds(3), Duration.ofSeconds(6));
    private static final String PASSWORD = "pw-Do-Not-Log-7";

    private final Closer closer = new Closer();
    private KeystoneServer keystone;

    @BeforeEach
    void startKeystone() {
        // One process: a token revoked through it is refused at once (several keep a cache each).
        keystone = closer.track(KeystoneServer.builder().name("keystone-store-it").regionId("region-one").start());
    }

    @AfterEach
    void stop() throws Exception {
        closer.close();
    }

    private Map<String, String> settings(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("hotline.store", "keystone");
        m.put("hotline.zone", AZ1.path());
        m.put("hotline.keystone.auth-url", keystone.url());
        m.put("hotline.keystone.username", KeystoneServer.ADMIN);
        m.put("hotline.keystone.password", keystone.adminPassword());
        m.put("hotline.keystone.project-name", KeystoneServer.ADMIN);
        m.put("hotline.keystone.poll-interval", "200ms");
        m.put("hotline.keystone.reap-interval", "500ms");
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] == null) {
                m.remove(kv[i]);
            } else {
                m.put(kv[i], kv[i + 1]);
            }
        }
        return m;
    }

    private EndpointStore open(String... kv) {
        return closer.track(StoreProviders.load().open(HotlineConfig.of(settings(kv))));
    }

    private static Endpoint endpoint(String service, String id, int port) {
        return Endpoint.builder(service).id(id).server("host-" + id).host("127.0.0.1").port(port).zone(AZ1).build();
    }

    private static Map<String, Health> health(EndpointStore store, String service) {
        return store.list(service, AZ1).stream().collect(Collectors.toMap(s -> s.endpoint().id(), EndpointStatus::health));
    }

    /** Waits until Keystone's clock is in a later second than now: it revokes tokens to the second. */
    private static void nextSecond() {
        long second = Instant.now().getEpochSecond();
        await().atMost(Duration.ofSeconds(3)).until(() -> Instant.now().getEpochSecond() > second);
    }

    @Test
    void aWrongPasswordIsRefusedNamingTheKeysNeverThePassword() {
        EndpointStore store = open("hotline.keystone.password", PASSWORD);
        assertThatThrownBy(() -> store.list("svc", AZ1))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("refuses the credentials of user admin")
                .hasMessageContaining("hotline.keystone.password")
                .hasMessageNotContaining(PASSWORD);
    }

    @Test
    void aRevokedTokenIsReplacedOnce() {
        String writer = keystone.createUser("writer", PASSWORD, "admin");
        EndpointStore store = open("hotline.keystone.username", "writer", "hotline.keystone.password", PASSWORD);
        store.register(endpoint("svc", "a", 1), POLICY);
        // Disabling a user revokes every token it holds; enabled again, it may log in anew.
        setEnabled(writer, false);
        setEnabled(writer, true);
        nextSecond();
        assertThat(health(store, "svc")).containsOnlyKeys("a");
        store.renew("svc", "a");
    }

    @Test
    void aTokenIsReplacedBeforeItExpires() throws Exception {
        KeystoneServer shortLived = closer.track(KeystoneServer.builder().name("keystone-short-tokens")
                .regionId("region-one").tokenExpiration(Duration.ofSeconds(12)).start());
        EndpointStore store = closer.track(StoreProviders.load().open(HotlineConfig.of(Map.of(
                "hotline.store", "keystone", "hotline.zone", AZ1.path(),
                "hotline.keystone.auth-url", shortLived.url(),
                "hotline.keystone.username", KeystoneServer.ADMIN,
                "hotline.keystone.password", shortLived.adminPassword(),
                "hotline.keystone.project-name", KeystoneServer.ADMIN))));
        long loginsBefore = logins(shortLived);
        store.register(endpoint("svc", "a", 1), POLICY);
        // Renewals, as a heartbeater makes them, until three tokens were issued (three lifetimes, less a quarter each):
        // each is replaced before it expires, so no request ever carries an expired one (Keystone would answer 401).
        await().atMost(Duration.ofSeconds(90)).pollInterval(POLICY.reportInterval()).until(() -> {
            store.renew("svc", "a");
            return logins(shortLived) - loginsBefore >= 3;
        });
        assertThat(Files.readAllLines(shortLived.process().logFile())).noneMatch(l -> l.contains("(HTTP/1.1 401)"));
    }

    /** Tokens Keystone issued so far, by its request log. */
    private static long logins(KeystoneServer server) throws java.io.IOException {
        return Files.readAllLines(server.process().logFile()).stream()
                .filter(l -> l.contains("POST /v3/auth/tokens") && l.contains("(HTTP/1.1 201)")).count();
    }

    @Test
    void aRegionKeystoneFailedToCreateIsAskedForAgain() throws Exception {
        open("hotline.keystone.reap-interval", "10m").register(endpoint("svc", "a", 1), POLICY);
        // At home in a zone whose region is not there yet; waits for Keystone longer than sqlite's busy timeout; no
        // reaper to queue its own writes in front of the store's.
        Zone az2 = Zone.of("region-one/az-2");
        EndpointStore store = open("hotline.zone", az2.path(), "hotline.keystone.timeout", "20s",
                "hotline.keystone.reap-interval", "10m");
        Endpoint b = Endpoint.builder("svc").id("b").server("host-b").host("127.0.0.1").port(2).zone(az2).build();
        CompletableFuture<Void> registered;
        try (KeystoneServer.DatabaseLock lock = keystone.lockDatabase()) {
            // Its first write creates the region of its zone.
            registered = CompletableFuture.runAsync(() -> store.register(b, POLICY));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> registered.isDone() || failed(keystone, "POST /v3/regions") > 0);
        }
        registered.get(30, TimeUnit.SECONDS);
        assertThat(store.list("svc", az2)).extracting(st -> st.endpoint().id()).containsExactly("b");
    }

    @Test
    void anEndpointKeystoneFailedToCreateIsNotSentAgain() throws Exception {
        EndpointStore store = open("hotline.keystone.timeout", "20s", "hotline.keystone.reap-interval", "10m");
        store.register(endpoint("svc", "a", 1), POLICY);
        try (KeystoneServer.DatabaseLock lock = keystone.lockDatabase()) {
            // It may have been created (the answer is lost): sent again, it could be there twice.
            assertThatThrownBy(() -> store.register(endpoint("svc", "b", 2), POLICY))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("POST /endpoints: the connection closed");
        }
        assertThat(health(store, "svc")).containsOnlyKeys("a");
        // uWSGI logs a request once it is done with it, and its one worker takes the next only then: the POSTs it
        // failed are in its log by the time the listing above is answered.
        assertThat(failed(keystone, "POST /v3/endpoints")).isOne();
    }

    /** Requests Keystone's handler failed (uWSGI closed their connections without an answer), by its request log. */
    private static long failed(KeystoneServer server, String request) throws java.io.IOException {
        return Files.readAllLines(server.process().logFile()).stream()
                .filter(l -> l.contains(request) && l.contains("(HTTP/1.1 500)")).count();
    }

    @Test
    void httpsWithThePrivateCaOfTheConfiguration(@TempDir Path pki) throws Exception {
        Certificates.selfSigned(pki, "keystone", "localhost", "IP:127.0.0.1,DNS:localhost");
        KeystoneServer tls = closer.track(KeystoneServer.builder().name("keystone-tls").regionId("region-one")
                .tls(pki.resolve("keystone-cert.pem"), pki.resolve("keystone-key.pem")).start());
        Map<String, String> keys = new HashMap<>(Map.of("hotline.store", "keystone", "hotline.zone", AZ1.path(),
                "hotline.keystone.auth-url", tls.httpsUrl(),
                "hotline.keystone.username", KeystoneServer.ADMIN,
                "hotline.keystone.password", tls.adminPassword(),
                "hotline.keystone.project-name", KeystoneServer.ADMIN));
        EndpointStore untrusting = closer.track(StoreProviders.load().open(HotlineConfig.of(keys)));
        assertThatThrownBy(() -> untrusting.list("svc", AZ1))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("TLS handshake failed")
                .hasMessageContaining("hotline.keystone.cafile")
                .hasMessageNotContaining(tls.adminPassword());
        keys.put("hotline.keystone.cafile", pki.resolve("keystone-cert.pem").toString());
        EndpointStore store = closer.track(StoreProviders.load().open(HotlineConfig.of(keys)));
        store.register(endpoint("svc", "a", 1), POLICY);
        assertThat(health(store, "svc")).containsExactlyEntriesOf(Map.of("a", Health.PASSING));
    }

    @Test
    void aDisabledUserIsToldSoWithoutTheSecret() {
        String writer = keystone.createUser("writer", PASSWORD, "admin");
        EndpointStore store = open("hotline.keystone.username", "writer", "hotline.keystone.password", PASSWORD);
        store.register(endpoint("svc", "a", 1), POLICY);
        setEnabled(writer, false);
        nextSecond();
        String log;
        try (CapturedStderr captured = CapturedStderr.start()) {
            assertThatThrownBy(() -> store.list("svc", AZ1))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("refuses the credentials of user writer")
                    .hasMessageNotContaining(PASSWORD);
            log = captured.text();
        }
        assertThat(log).doesNotContain(PASSWORD);
    }

    private void setEnabled(String userId, boolean enabled) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putObject("user").put("enabled", enabled);
        keystone.call("PATCH", "/users/" + userId, body);
    }

    @Test
    void aProjectReaderIsToldWhichRoleItLacks() {
        keystone.createUser("viewer", PASSWORD, "reader");
        EndpointStore store = open("hotline.keystone.username", "viewer", "hotline.keystone.password", PASSWORD);
        assertThatThrownBy(() -> store.register(endpoint("svc", "a", 1), POLICY))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("(403)")
                .hasMessageContaining("admin role on its project")
                .hasMessageNotContaining(PASSWORD);
        assertThatThrownBy(() -> store.list("svc", AZ1))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("reader role on the system")
                .hasMessageContaining("hotline.keystone.system-scope=all");
    }

    @Test
    void aSystemReaderReadsAndCannotWrite() {
        open().register(endpoint("svc", "a", 1), POLICY);
        keystone.grantSystemRole(keystone.createUser("auditor", PASSWORD), "reader");
        EndpointStore reader = open("hotline.keystone.username", "auditor", "hotline.keystone.password", PASSWORD,
                "hotline.keystone.project-name", null, "hotline.keystone.system-scope", "all");
        assertThat(health(reader, "svc")).containsExactlyEntriesOf(Map.of("a", Health.PASSING));
        assertThatThrownBy(() -> reader.register(endpoint("svc", "b", 2), POLICY))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("(403)");
    }

    @Test
    void anApplicationCredentialRegisters() {
        String adminId = keystone.call("GET", "/users?name=admin", null).path("users").path(0).path("id").asText();
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putObject("application_credential").put("name", "hotline");
        JsonNode credential = keystone.call("POST", "/users/" + adminId + "/application_credentials", body)
                .path("application_credential");
        EndpointStore store = open("hotline.keystone.username", null, "hotline.keystone.password", null,
                "hotline.keystone.project-name", null,
                "hotline.keystone.application-credential-id", credential.path("id").asText(),
                "hotline.keystone.application-credential-secret", credential.path("secret").asText());
        store.register(endpoint("svc", "a", 1), POLICY);
        assertThat(health(store, "svc")).containsOnlyKeys("a");

        EndpointStore wrong = open("hotline.keystone.username", null, "hotline.keystone.password", null,
                "hotline.keystone.project-name", null,
                "hotline.keystone.application-credential-id", credential.path("id").asText(),
                "hotline.keystone.application-credential-secret", PASSWORD);
        assertThatThrownBy(() -> wrong.list("svc", AZ1))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("application-credential-id and -secret")
                .hasMessageNotContaining(PASSWORD);
    }

    @Test
    void foreignEndpointsOfAHotlineServiceAreLoggedOnceAndSkipped() {
        EndpointStore store = open();
        store.register(endpoint("svc", "good", 1), POLICY);
        String serviceId = keystone.call("GET", "/services?type=hotline.svc", null).path("services").path(0)
                .path("id").asText();
        String log;
        // Captured from before the foreign endpoints exist: the store's own thread (the reaper's turn) may list the
        // service, and log one of them, before this thread does.
        try (CapturedStderr captured = CapturedStderr.start()) {
            // One made by hand in Hotline's service, one whose hotline attribute is not a registration.
            addEndpoint(serviceId, "http://secret-content.example:9/", null);
            ObjectNode junk = JsonNodeFactory.instance.objectNode().put("v", 1).put("id", "handmade-do-not-log");
            addEndpoint(serviceId, "http://127.0.0.1:9/", junk);
            assertThat(health(store, "svc")).containsOnlyKeys("good");
            store.register(endpoint("svc", "good2", 2), POLICY);
            assertThat(health(store, "svc")).containsOnlyKeys("good", "good2");
            log = captured.text();
        }
        assertThat(log.split("not a Hotline registration", -1)).hasSize(3);
        assertThat(log).doesNotContain("secret-content", "handmade-do-not-log");
    }

    @Test
    void aSecondServiceMadeByARaceIsFoundByAReaderThatListedBeforeIt() {
        // Two processes that register a service's first endpoint at once may each create its Keystone service; all
        // writers then settle on the least id. A reader that listed while only the other existed must still find them.
        String first = createService("raced");
        EndpointStore reader = open();
        assertThat(health(reader, "raced")).isEmpty();
        String second = createService("raced");
        while (second.compareTo(first) > 0) {
            keystone.call("DELETE", "/services/" + second, null);
            second = createService("raced");
        }
        EndpointStore writer = open();
        writer.register(endpoint("raced", "e1", 1), POLICY);
        String least = second;
        assertThat(keystone.call("GET", "/endpoints?service_id=" + least, null).path("endpoints").size())
                .as("the writer registered under the least id").isEqualTo(1);
        // Within the store's propagation bound (its poll interval, 200 ms here), not the minute services are kept.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(health(reader, "raced"))
                .containsOnlyKeys("e1"));
    }

    private String createService(String service) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putObject("service").put("type", "hotline." + service).put("name", service).put("enabled", false);
        return keystone.call("POST", "/services", body).path("service").path("id").asText();
    }

    private void addEndpoint(String serviceId, String url, JsonNode hotline) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ObjectNode ep = body.putObject("endpoint").put("interface", "internal").put("service_id", serviceId)
                .put("region_id", "region-one.az-1").put("url", url);
        if (hotline != null) {
            ep.set("hotline", hotline);
        }
        keystone.call("POST", "/endpoints", body);
    }

    @Test
    void aRegistrationDeletedUnderItsRenewerComesBack() throws Exception {
        EndpointStore store = open();
        try (Heartbeater heartbeater = Heartbeater.start(store)) {
            heartbeater.register(endpoint("svc", "a", 1), POLICY);
            String keystoneId = hotlineEndpoints("svc").get(0);
            // What a reaper racing a renewal does at worst: the registration goes; the next renewal finds it gone.
            keystone.call("DELETE", "/endpoints/" + keystoneId, null);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(hotlineEndpoints("svc")).hasSize(1).doesNotContain(keystoneId);
                assertThat(health(store, "svc")).containsExactlyEntriesOf(Map.of("a", Health.PASSING));
            });
        }
    }

    @Test
    void aRenewalOfADeletedRegistrationIsNotRegistered() {
        EndpointStore store = open();
        store.register(endpoint("svc", "a", 1), POLICY);
        keystone.call("DELETE", "/endpoints/" + hotlineEndpoints("svc").get(0), null);
        assertThatThrownBy(() -> store.renew("svc", "a")).isInstanceOf(NotRegisteredException.class);
    }

    @Test
    void theReaperRemovesOnlyWhatOutlivedDeregisterAfter() {
        EndpointStore dead = open();
        dead.register(endpoint("svc", "dead", 1), POLICY);
        dead.close();
        EndpointStore alive = open();
        try (Heartbeater heartbeater = Heartbeater.start(alive)) {
            heartbeater.register(endpoint("svc", "alive", 2), POLICY);
            // The dead store's reaper turn lapses after three intervals; the live store takes it and reaps.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(hotlineEndpoints("svc")).hasSize(1));
            assertThat(health(alive, "svc")).containsExactlyEntriesOf(Map.of("alive", Health.PASSING));
        }
    }

    private List<String> hotlineEndpoints(String service) {
        String serviceId = keystone.call("GET", "/services?type=hotline." + service, null).path("services").path(0)
                .path("id").asText();
        List<String> ids = new java.util.ArrayList<>();
        for (JsonNode ep : keystone.call("GET", "/endpoints?service_id=" + serviceId, null).path("endpoints")) {
            ids.add(ep.path("id").asText());
        }
        return ids;
    }

    @Test
    void endpointsStayOutOfTokenCatalogs() {
        open().register(endpoint("svc", "a", 1), POLICY);
        JsonNode catalog = keystone.call("GET", "/auth/catalog", null).path("catalog");
        assertThat(catalog.findValuesAsText("type")).contains("identity").doesNotContain("hotline.svc");
        assertThat(keystone.call("GET", "/services?type=hotline.svc", null).path("services").path(0).path("enabled")
                .asBoolean(true)).isFalse();
    }

    @Test
    void zonesAreTheInnermostRegionsUnderTheRoot() {
        keystone.createRegion("elsewhere", null);
        keystone.createRegion("region-one.az-2", "region-one");
        keystone.createRegion("region-one.not.a.child", "region-one");
        EndpointStore store = open();
        store.register(endpoint("svc", "a", 1), POLICY);
        // The parent region holds zones, so it is not one itself: zones never overlap.
        assertThat(store.zones()).containsExactlyInAnyOrder(AZ1, Zone.of("region-one/az-2"));
        assertThatThrownBy(() -> store.list("svc", Zone.of("region-one")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("region-one");
        assertThat(keystone.call("GET", "/regions/region-one.az-1", null).path("region").path("parent_region_id")
                .asText()).isEqualTo("region-one");
    }
}

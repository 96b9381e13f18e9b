package io.hotline.discovery.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.Health;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.StoreUnavailableException;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.Watch;
import io.hotline.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials and TLS against real servers: an ACL user with a password and a key pattern (and the default user
 * off), and a TLS-only server with certificates made by the real openssl.
 */
class RedisSecurityIT {

    private static final Zone ZONE = Zone.of("az-1");
    private static final String PASSWORD = "pw-" + Long.toHexString(System.nanoTime());
    private static final HealthPolicy POLICY = HealthPolicy.of(Duration.ofSeconds(1), Duration.ofMinutes(10),
            Duration.ofMinutes(20));

    @TempDir
    static Path pki;
    private static RedisServer acl;
    private static RedisServer tls;
    private static RedisServer mutualTls;

    @BeforeAll
    static void startServers() throws Exception {
        acl = RedisServer.builder().name("redis-acl").user("hotline", PASSWORD, "~hotline:* &hotline:* +@all")
                .user("narrow", PASSWORD, "~hotline:* &hotline:* " + RedisDeployment.ACL_COMMANDS)
                .defaultUserOff().start();
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
                "-subj", "/CN=test-ca", "-keyout", "ca.key", "-out", "ca.pem");
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=localhost",
                "-keyout", "server.key", "-out", "server.csr");
        Files.writeString(pki.resolve("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days",
                "1", "-extfile", "san.ext", "-out", "server.pem");
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=hotline",
                "-keyout", "client.key", "-out", "client.csr");
        openssl("x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days",
                "1", "-out", "client.pem");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
                "-subj", "/CN=other-ca", "-keyout", "other.key", "-out", "other.pem");
        tls = RedisServer.builder().name("redis-tls")
                .tls(pki.resolve("server.pem"), pki.resolve("server.key"), pki.resolve("ca.pem")).start();
        mutualTls = RedisServer.builder().name("redis-mtls")
                .tls(pki.resolve("server.pem"), pki.resolve("server.key"), pki.resolve("ca.pem"))
                .requireClientCertificates().start();
    }

    @AfterAll
    static void stopServers() {
        if (mutualTls != null) {
            mutualTls.close();
        }
        if (tls != null) {
            tls.close();
        }
        acl.close();
    }

    private static void openssl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(pki.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("openssl finished").isTrue();
        assertThat(p.exitValue()).as("openssl %s: %s", command, output).isZero();
    }

    private static EndpointStore open(RedisServer server, String... keyValues) {
        Map<String, String> m = new HashMap<>(Map.of("hotline.store", "redis", "hotline.zone", ZONE.path(),
                "hotline.redis.nodes", server.address(), "hotline.redis.timeout", "2s"));
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return new RedisStoreProvider().open(HotlineConfig.of(m));
    }

    private static void worksEndToEnd(EndpointStore store) {
        String service = "sec." + Long.toHexString(System.nanoTime());
        Endpoint e = Endpoint.builder(service).host("127.0.0.1").port(20001).zone(ZONE).build();
        Snapshots watcher = new Snapshots();
        Watch w = store.watch(service, ZONE, watcher);
        try {
            store.register(e, POLICY);
            store.renew(service, e.id());
            assertThat(store.list(service, ZONE)).extracting(s -> s.endpoint()).containsExactly(e);
            await().atMost(Duration.ofSeconds(10)).until(() -> watcher.latest().get(e.id()) == Health.PASSING);
            store.deregister(service, e.id());
            await().atMost(Duration.ofSeconds(10)).until(() -> watcher.latest().isEmpty());
            assertThat(watcher.errors()).isEmpty();
        } finally {
            w.close();
        }
    }

    @Test
    void theAclUserWithItsPasswordMayDoEverything() {
        try (EndpointStore store = open(acl, "hotline.redis.user", "hotline", "hotline.redis.password", PASSWORD)) {
            worksEndToEnd(store);
            assertThat(store.zones()).contains(ZONE);
        }
    }

    @Test
    void theCommandsTheReadmeListsAreEnoughWithoutAllCommands() {
        try (EndpointStore store = open(acl, "hotline.redis.user", "narrow", "hotline.redis.password", PASSWORD)) {
            worksEndToEnd(store);
            assertThat(store.zones()).contains(ZONE);
        }
    }

    @Test
    void aWrongPasswordIsRefusedAtOpenWithoutRepeatingIt() {
        assertThatThrownBy(() -> open(acl, "hotline.redis.user", "hotline", "hotline.redis.password", "not-" + PASSWORD))
                .isInstanceOf(StoreException.class)
                .isNotInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("refused the credentials")
                .hasMessageContaining("hotline.redis.password")
                .satisfies(t -> assertThat(t.getMessage()).doesNotContain(PASSWORD));
    }

    @Test
    void noCredentialsAreRefusedAtOpen() {
        assertThatThrownBy(() -> open(acl)).isInstanceOf(StoreException.class)
                .hasMessageContaining("refused the credentials").hasMessageContaining("NOAUTH");
    }

    @Test
    void keysOutsideTheUsersPatternAreRefusedSayingWhichPatternIsNeeded() {
        try (EndpointStore store = open(acl, "hotline.redis.user", "hotline", "hotline.redis.password", PASSWORD,
                "hotline.redis.key-prefix", "other")) {
            Endpoint e = Endpoint.builder("sec.denied").host("127.0.0.1").port(20001).zone(ZONE).build();
            assertThatThrownBy(() -> store.register(e, POLICY))
                    .isInstanceOf(StoreException.class)
                    .isNotInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("NOPERM")
                    .hasMessageContaining("~other:*");
        }
    }

    @Test
    void tlsWithTheServersCaWorks() {
        try (EndpointStore store = open(tls, "hotline.redis.tls.enabled", "true", "hotline.redis.tls.cafile",
                pki.resolve("ca.pem").toString())) {
            worksEndToEnd(store);
        }
    }

    @Test
    void tlsWithAnotherCaOrWithoutTlsIsRefused() {
        try (EndpointStore store = open(tls, "hotline.redis.tls.enabled", "true", "hotline.redis.tls.cafile",
                pki.resolve("other.pem").toString())) {
            assertThatThrownBy(() -> store.list("sec.any", ZONE)).isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("with TLS").hasMessageContaining("check that hotline.redis.tls.cafile");
        }
        try (EndpointStore store = open(tls, "hotline.redis.timeout", "500ms")) {
            assertThatThrownBy(() -> store.list("sec.any", ZONE)).isInstanceOf(StoreUnavailableException.class);
        }
    }

    @Test
    void aServerThatRequiresClientCertificatesTakesOurs() {
        try (EndpointStore store = open(mutualTls, "hotline.redis.tls.enabled", "true", "hotline.redis.tls.cafile",
                pki.resolve("ca.pem").toString(), "hotline.redis.tls.certfile", pki.resolve("client.pem").toString(),
                "hotline.redis.tls.keyfile", pki.resolve("client.key").toString())) {
            worksEndToEnd(store);
        }
    }

    @Test
    void aServerThatRequiresClientCertificatesRefusesUsWithoutOneSayingWhichKeysToSet() {
        try (EndpointStore store = open(mutualTls, "hotline.redis.tls.enabled", "true", "hotline.redis.tls.cafile",
                pki.resolve("ca.pem").toString())) {
            assertThatThrownBy(() -> store.list("sec.any", ZONE)).isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("set hotline.redis.tls.certfile and hotline.redis.tls.keyfile")
                    .hasMessageContaining("tls-auth-clients yes");
        }
    }

    @Test
    void aRemoteZonesRefusalNamesTheRemotesOwnKeys() {
        String ca = pki.resolve("ca.pem").toString();
        String remote = "hotline.redis.remote.far.";
        try (EndpointStore store = open(tls, "hotline.redis.tls.enabled", "true", "hotline.redis.tls.cafile", ca,
                "hotline.redis.remotes", "far", remote + "zone", "az-2", remote + "nodes", mutualTls.address(),
                remote + "tls.enabled", "true", remote + "tls.cafile", ca, remote + "timeout", "2s")) {
            assertThatThrownBy(() -> store.list("sec.any", Zone.of("az-2")))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("check that " + remote + "tls.cafile")
                    .hasMessageContaining("set " + remote + "tls.certfile and " + remote + "tls.keyfile");
            assertThat(store.list("sec.any", ZONE)).as("the home zone is not affected").isEmpty();
        }
    }

    @Test
    void aClientKeyOfAnotherCertificateIsRefusedAtOpen() {
        assertThatThrownBy(() -> open(mutualTls, "hotline.redis.tls.enabled", "true", "hotline.redis.tls.certfile",
                pki.resolve("client.pem").toString(), "hotline.redis.tls.keyfile", pki.resolve("server.key").toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hotline.redis.tls.keyfile")
                .hasMessageContaining("does not match certificate file " + pki.resolve("client.pem"));
    }
}

package io.hotline.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreUnavailableException;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.testing.ConsulAgent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS to an agent that requires client certificates ({@code verify_incoming_https}), with a PKI made by the real
 * openssl: a CA, the agent's certificate for 127.0.0.1 and a client certificate, both signed by it.
 */
class ConsulTlsIT {

    @TempDir
    static Path pki;
    private static ConsulAgent agent;

    @BeforeAll
    static void start() throws Exception {
        Files.writeString(pki.resolve("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
                "-subj", "/CN=hotline-test-ca", "-keyout", "ca-key.pem", "-out", "ca.pem");
        for (String name : List.of("agent", "client")) {
            openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=" + name,
                    "-keyout", name + "-key.pem", "-out", name + ".csr");
            openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
                    "-days", "1", "-extfile", "san.ext", "-out", name + ".pem");
        }
        agent = ConsulAgent.builder("dc1")
                .tls(pki.resolve("agent.pem"), pki.resolve("agent-key.pem"), pki.resolve("ca.pem"), true)
                .build().start();
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    private static void openssl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(pki.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("openssl finished").isTrue();
        assertThat(p.exitValue()).as("openssl %s: %s", command, output).isZero();
    }

    private static HotlineConfig https(Map<String, String> files) {
        HotlineConfig c = HotlineConfig.of(Map.of(
                HotlineConfig.ZONE, "dc1",
                ConsulStoreProvider.SCHEME, "https",
                ConsulStoreProvider.PORT, Integer.toString(agent.httpsPort())));
        for (var e : files.entrySet()) {
            c = c.with(e.getKey(), pki.resolve(e.getValue()).toString());
        }
        return c;
    }

    @Test
    void trustingTheCaAndPresentingAClientCertificateWorks() {
        HotlineConfig config = https(Map.of(ConsulStoreProvider.CA_FILE, "ca.pem",
                ConsulStoreProvider.CERT_FILE, "client.pem", ConsulStoreProvider.KEY_FILE, "client-key.pem"));
        Endpoint e = Endpoint.builder("tls.service").id("e1").server("host-1").host("127.0.0.1").port(20001)
                .zone(Zone.of("dc1")).build();
        try (EndpointStore store = new ConsulStoreProvider().open(config)) {
            store.register(e, HealthPolicy.DEFAULT);
            store.renew("tls.service", "e1");
            assertThat(store.list("tls.service", Zone.of("dc1"))).containsExactly(new EndpointStatus(e, Health.PASSING));
            store.deregister("tls.service", "e1");
        }
    }

    @Test
    void anAgentCertificateFromAnUnknownCaIsRefused() {
        assertThatThrownBy(() -> new ConsulStoreProvider().open(https(Map.of())))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("cannot reach the Consul agent at https://127.0.0.1:" + agent.httpsPort())
                .hasMessageContaining("certification path");
    }

    @Test
    void withoutAClientCertificateTheAgentRefusesTheConnection() {
        assertThatThrownBy(() -> new ConsulStoreProvider().open(https(Map.of(ConsulStoreProvider.CA_FILE, "ca.pem"))))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("cannot reach the Consul agent at https://");
    }

    @Test
    void aKeyThatIsNotPkcs8IsRefusedWithTheFix() throws Exception {
        Files.writeString(pki.resolve("rsa-legacy.pem"), "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
        assertThatThrownBy(() -> new ConsulStoreProvider().open(https(Map.of(ConsulStoreProvider.CA_FILE, "ca.pem",
                ConsulStoreProvider.CERT_FILE, "client.pem", ConsulStoreProvider.KEY_FILE, "rsa-legacy.pem"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("openssl pkcs8 -topk8");
    }
}

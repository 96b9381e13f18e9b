package io.hotline.rpc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.RpcException;
import io.hotline.rpc.Target;
import io.hotline.rpc.server.testing.RpcFleet;
import io.hotline.testing.Certificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS from PEM files as OpenStack deployments have them, made by the real openssl. */
class RpcTlsTest {

    private static final Target TARGET = Target.topic("conductor").exchange("nova");

    @TempDir
    static Path pki;

    private final RpcFleet fleet = RpcFleet.inMemory();

    @BeforeAll
    static void makeCertificates() throws Exception {
        Certificates.selfSigned(pki, "server", "localhost", "IP:127.0.0.1,DNS:localhost");
        Certificates.selfSigned(pki, "client", "nova-client", null);
        Certificates.selfSigned(pki, "stranger", "stranger", null);
    }

    @AfterEach
    void closeAll() throws Exception {
        fleet.close();
    }

    private <T extends AutoCloseable> T track(T c) {
        return fleet.track(c);
    }

    private EndpointStore store() {
        return fleet.store();
    }

    private RpcServer.Builder tlsServer() {
        return RpcServer.builder(store()).target(TARGET).drainDelay(Duration.ZERO).endpoint(new TestApi("secure"))
                .tls(pki.resolve("server-cert.pem"), pki.resolve("server-key.pem"));
    }

    @Test
    void callsGoOverHttpsToTrustedServers() {
        RpcServer s = track(tlsServer().start());
        assertThat(s.endpoint().scheme()).isEqualTo("https");
        RpcClient trusting = track(RpcClient.builder(store()).trust(pki.resolve("server-cert.pem")).build());
        assertThat(trusting.prepare(TARGET).call("echo", Map.of("text", "over tls"), String.class))
                .isEqualTo("over tls");

        RpcClient sceptic = track(RpcClient.builder(store()).build());
        assertThatThrownBy(() -> sceptic.prepare(TARGET).call("echo", Map.of("text", "x"), String.class))
                .isInstanceOf(RpcException.class).hasMessageContaining("https://127.0.0.1");
    }

    @Test
    void clientCertificatesAreRequiredWhenConfigured() {
        track(tlsServer().requireClientCertificates(pki.resolve("client-cert.pem")).start());
        RpcClient withCert = track(RpcClient.builder(store()).trust(pki.resolve("server-cert.pem"))
                .clientCertificate(pki.resolve("client-cert.pem"), pki.resolve("client-key.pem")).build());
        assertThat(withCert.prepare(TARGET).call("server", Map.of(), String.class)).isEqualTo("secure");

        RpcClient anonymous = track(RpcClient.builder(store()).trust(pki.resolve("server-cert.pem")).build());
        assertThatThrownBy(() -> anonymous.prepare(TARGET).call("server", Map.of(), String.class))
                .isInstanceOf(RpcException.class);
        RpcClient stranger = track(RpcClient.builder(store()).trust(pki.resolve("server-cert.pem"))
                .clientCertificate(pki.resolve("stranger-cert.pem"), pki.resolve("stranger-key.pem")).build());
        assertThatThrownBy(() -> stranger.prepare(TARGET).call("server", Map.of(), String.class))
                .isInstanceOf(RpcException.class);
    }

    @Test
    void theProposalsSslOptionsConfigureTheServer() throws Exception {
        Path ini = pki.resolve("nova.conf");
        java.nio.file.Files.writeString(ini, "[http_driver]\nenable_ssl = True\nssl_certfile = "
                + pki.resolve("server-cert.pem") + "\nssl_keyfile = " + pki.resolve("server-key.pem") + "\n");
        RpcServer s = track(RpcServer.builder(store()).target(TARGET).drainDelay(Duration.ZERO)
                .endpoint(new TestApi("ini")).config(HotlineConfig.fromFile(ini)).start());
        assertThat(s.endpoint().scheme()).isEqualTo("https");

        Path broken = pki.resolve("broken.conf");
        java.nio.file.Files.writeString(broken, "[http_driver]\nenable_ssl = True\n");
        assertThatThrownBy(() -> RpcServer.builder(store()).config(HotlineConfig.fromFile(broken)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ssl_certfile");
    }

    @Test
    void unusableKeyFilesAreExplained() throws Exception {
        Path rsaPkcs1 = pki.resolve("legacy-key.pem");
        java.nio.file.Files.writeString(rsaPkcs1, "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> RpcServer.builder(store()).target(TARGET).endpoint(new TestApi("x"))
                .tls(pki.resolve("server-cert.pem"), rsaPkcs1).start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("openssl pkcs8 -topk8");
        assertThatThrownBy(() -> RpcServer.builder(store()).target(TARGET).endpoint(new TestApi("x"))
                .tls(pki.resolve("server-cert.pem"), pki.resolve("client-key.pem")).start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not match");
    }
}

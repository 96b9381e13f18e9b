package io.hotline.discovery.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.testing.Certificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM files made by the real openssl, and real TLS handshakes over loopback with what PemTls builds from them. */
class PemTlsTest {

    @TempDir
    static Path pki;
    private static final ExecutorService SERVER = Executors.newSingleThreadExecutor();

    @BeforeAll
    static void makeCertificates() throws Exception {
        Certificates.selfSigned(pki, "server", "localhost", "IP:127.0.0.1,DNS:localhost");
        Certificates.selfSigned(pki, "client", "nova-client", null);
        Files.writeString(pki.resolve("both.pem"), Files.readString(pki.resolve("server-cert.pem"))
                + Files.readString(pki.resolve("client-cert.pem")));
    }

    @AfterAll
    static void stopServer() {
        SERVER.shutdownNow();
    }

    private static Path file(String name) {
        return pki.resolve(name);
    }

    @Test
    void aKeyStoreHoldsTheKeyWithItsCertificate() throws Exception {
        KeyStore ks = PemTls.keyStore(file("server-cert.pem"), file("server-key.pem"));
        assertThat(ks.isKeyEntry("hotline")).isTrue();
        assertThat(ks.getKey("hotline", PemTls.IN_MEMORY_PASSWORD.toCharArray()).getAlgorithm()).isEqualTo("EC");
        assertThat(((X509Certificate) ks.getCertificate("hotline")).getSubjectX500Principal().getName())
                .isEqualTo("CN=localhost");
    }

    @Test
    void aTrustStoreHoldsEveryCertificateOfTheFile() throws Exception {
        KeyStore ks = PemTls.trustStore(file("both.pem"));
        assertThat(ks.size()).isEqualTo(2);
        assertThat(PemTls.trustManager(file("both.pem")).getAcceptedIssuers()).hasSize(2);
    }

    @Test
    void withoutACaFileTheJdksCasAreTrusted() {
        assertThat(PemTls.trustManager(null).getAcceptedIssuers()).hasSizeGreaterThan(2);
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedNamingBothFiles() throws Exception {
        String keyText = Files.readString(file("client-key.pem"));
        assertThatThrownBy(() -> PemTls.keyStore(file("server-cert.pem"), file("client-key.pem")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("key file " + file("client-key.pem"))
                .hasMessageContaining("does not match certificate file " + file("server-cert.pem"))
                .satisfies(e -> keyText.lines().filter(l -> !l.startsWith("-----"))
                        .forEach(l -> assertThat(e.getMessage()).doesNotContain(l)));
    }

    @Test
    void aKeyThatIsNotPkcs8IsRefusedWithTheOpensslFix() throws Exception {
        Path legacy = file("legacy-key.pem");
        Files.writeString(legacy, "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIDSecretSecretSecret\n-----END EC PRIVATE KEY-----\n");
        assertThatThrownBy(() -> PemTls.privateKey(legacy)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("key file " + legacy)
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("SecretSecret"));
        Path garbled = file("garbled-key.pem");
        Files.writeString(garbled, "-----BEGIN PRIVATE KEY-----\nAAAAAAAA\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> PemTls.privateKey(garbled)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("key file " + garbled).hasMessageContaining("not RSA, EC or Ed25519");
    }

    @Test
    void badCertificateFilesAreNamed() throws Exception {
        Path empty = file("empty.pem");
        Files.writeString(empty, "");
        assertThatThrownBy(() -> PemTls.trustStore(empty)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("certificate file " + empty).hasMessageContaining("BEGIN CERTIFICATE");
        assertThatThrownBy(() -> PemTls.certificates(file("server-key.pem"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("certificate file " + file("server-key.pem"));
        assertThatThrownBy(() -> PemTls.certificates(file("missing.pem"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot read certificate file " + file("missing.pem"));
        assertThatThrownBy(() -> PemTls.privateKey(file("missing-key.pem"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot read key file " + file("missing-key.pem"));
    }

    @Test
    void aClientCertificateNeedsBothFiles() {
        assertThatThrownBy(() -> PemTls.clientContext(PemTls.trustManager(null), file("client-cert.pem"), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("both its certificate file and its key file")
                .hasMessageContaining("only the certificate file " + file("client-cert.pem"));
        assertThatThrownBy(() -> PemTls.clientContext(PemTls.trustManager(null), null, file("client-key.pem")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only the key file");
    }

    @Test
    void aClientContextTrustsTheCaAndPresentsItsCertificateToAServerThatRequiresOne() throws Exception {
        try (SSLServerSocket server = requiringClientCertificates()) {
            Future<String> seen = SERVER.submit(() -> echoOnce(server));
            SSLContext client = PemTls.clientContext(PemTls.trustManager(file("server-cert.pem")),
                    file("client-cert.pem"), file("client-key.pem"));
            try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", server.getLocalPort())) {
                s.setSoTimeout(30_000);
                s.getOutputStream().write('h');
                assertThat(s.getInputStream().read()).isEqualTo('h');
            }
            assertThat(seen.get(30, TimeUnit.SECONDS)).isEqualTo("CN=nova-client");
        }
    }

    @Test
    void withoutAClientCertificateSuchAServerRefusesTheClient() throws Exception {
        try (SSLServerSocket server = requiringClientCertificates()) {
            Future<String> seen = SERVER.submit(() -> echoOnce(server));
            SSLContext client = PemTls.clientContext(PemTls.trustManager(file("server-cert.pem")), null, null);
            try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", server.getLocalPort())) {
                s.setSoTimeout(30_000);
                assertThatThrownBy(() -> {
                    s.getOutputStream().write('h');
                    s.getOutputStream().flush();
                    if (s.getInputStream().read() < 0) {
                        throw new IOException("closed by the server");
                    }
                }).isInstanceOf(IOException.class);
            }
            assertThatThrownBy(() -> seen.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class);
        }
    }

    /** A loopback TLS server with the server certificate that only accepts clients signed by client-cert.pem. */
    private static SSLServerSocket requiringClientCertificates() throws Exception {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(PemTls.keyStore(file("server-cert.pem"), file("server-key.pem")),
                PemTls.IN_MEMORY_PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), new TrustManager[] {PemTls.trustManager(file("client-cert.pem"))}, null);
        SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        server.setNeedClientAuth(true);
        server.setSoTimeout(30_000);
        return server;
    }

    /** Accepts one client, echoes one byte, and says whom its certificate names. */
    private static String echoOnce(SSLServerSocket server) throws IOException {
        try (SSLSocket s = (SSLSocket) server.accept()) {
            s.setSoTimeout(30_000);
            s.startHandshake();
            String peer = ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
            s.getOutputStream().write(s.getInputStream().read());
            s.getOutputStream().flush();
            return peer;
        }
    }
}

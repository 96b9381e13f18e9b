package io.hotline.broadcaster;

import static io.hotline.broadcaster.Fleet.AZ1;
import static io.hotline.broadcaster.Fleet.FANOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hotline.rpc.AccessDenied;
import io.hotline.rpc.FanoutReport;
import io.hotline.rpc.FanoutReport.Outcome;
import io.hotline.rpc.server.ListenerSettings;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.RpcException;
import io.hotline.testing.Certificates;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS with client certificates and the cluster token on every hop: client to broadcaster, broadcaster to peer
 * broadcaster (a split fanout), broadcaster to servers. Certificates are made by the real openssl.
 */
class BroadcasterTlsTest {

    private static final String TOKEN = "s3cret";

    @TempDir
    static Path pki;

    private final Fleet fleet = Fleet.inMemory();

    @BeforeAll
    static void makeCertificates() throws Exception {
        Certificates.selfSigned(pki, "server", "localhost", "IP:127.0.0.1,DNS:localhost");
        Certificates.selfSigned(pki, "client", "hotline-client", null);
    }

    @AfterEach
    void closeAll() throws Exception {
        fleet.close();
    }

    private RpcClient.Builder client() {
        return RpcClient.builder(fleet.store(AZ1)).trust(pki.resolve("server-cert.pem")).timeout(Duration.ofSeconds(20));
    }

    @Test
    void aFanoutGoesOverHttpsWithTheTokenOnEveryHop() {
        Path cert = pki.resolve("server-cert.pem");
        Path key = pki.resolve("server-key.pem");
        Path clientCert = pki.resolve("client-cert.pem");
        Path clientKey = pki.resolve("client-key.pem");
        List<Recorder> servers = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            Recorder r = new Recorder();
            fleet.track(fleet.serverBuilder("host-" + i, AZ1, r).tls(cert, key).requireClientCertificates(clientCert)
                    .token(TOKEN).start());
            servers.add(r);
        }
        // Threshold 2: each broadcaster takes a share, so the peer hop is tested too.
        for (int i = 0; i < 2; i++) {
            Broadcaster b = fleet.track(fleet.broadcasterBuilder(AZ1)
                    .listener(ListenerSettings.DEFAULT.tls(cert, key).requireClientCertificates(clientCert)
                            .grace(Duration.ofSeconds(5)))
                    .trust(cert).clientCertificate(clientCert, clientKey).token(TOKEN).splitThreshold(2).start());
            assertThat(b.endpoint().scheme()).isEqualTo("https");
        }

        RpcClient client = fleet.track(client().clientCertificate(clientCert, clientKey).token(TOKEN).build());
        FanoutReport report = client.prepare(FANOUT).fanoutWithReport("record", Map.of("event", "tls"));
        assertThat(report.delivered()).as("%s", report).isEqualTo(4);
        await().atMost(Duration.ofSeconds(10)).until(() -> servers.stream().allMatch(s -> Fleet.count(s, "tls") == 1));
        assertThat(servers).allSatisfy(s -> assertThat(s.events).containsExactly("tls"));

        RpcClient noToken = fleet.track(client().clientCertificate(clientCert, clientKey).build());
        assertThatThrownBy(() -> noToken.prepare(FANOUT).fanoutWithReport("record", Map.of("event", "x")))
                .isInstanceOf(AccessDenied.class);
        RpcClient noCertificate = fleet.track(client().token(TOKEN).build());
        assertThatThrownBy(() -> noCertificate.prepare(FANOUT).fanoutWithReport("record", Map.of("event", "x")))
                .isInstanceOf(RpcException.class);
        assertThat(servers).allSatisfy(s -> assertThat(s.events).containsExactly("tls"));
    }

    @Test
    void aBroadcasterWithoutTheServersCertificateReportsEveryServerFailed() {
        Path cert = pki.resolve("server-cert.pem");
        Recorder r = new Recorder();
        fleet.track(fleet.serverBuilder("host-1", AZ1, r).tls(cert, pki.resolve("server-key.pem")).start());
        fleet.track(fleet.broadcasterBuilder(AZ1).start());     // plain HTTP, trusts only the JDK's CAs

        FanoutReport report = fleet.client().prepare(FANOUT).fanoutWithReport("record", Map.of("event", "x"));
        assertThat(report.failed()).isEqualTo(1);
        assertThat(report.results()).singleElement().satisfies(d -> {
            assertThat(d.outcome()).isEqualTo(Outcome.ERROR);
            assertThat(d.reason()).contains("https://127.0.0.1");
        });
        assertThat(r.events).isEmpty();
    }

    @Test
    void theStatusPageScrapesServersOverTheBroadcastersTls() throws Exception {
        Path cert = pki.resolve("server-cert.pem");
        Path clientCert = pki.resolve("client-cert.pem");
        Path clientKey = pki.resolve("client-key.pem");
        fleet.track(fleet.serverBuilder("host-1", AZ1, new Recorder()).tls(cert, pki.resolve("server-key.pem"))
                .requireClientCertificates(clientCert).token(TOKEN).start());
        Broadcaster b = fleet.track(fleet.broadcasterBuilder(AZ1).trust(cert).clientCertificate(clientCert, clientKey)
                .token(TOKEN).statusServices(List.of(FANOUT.service())).start());
        RpcClient client = fleet.track(client().clientCertificate(clientCert, clientKey).token(TOKEN).build());
        for (int i = 0; i < 4; i++) {
            client.prepare(Fleet.TARGET).call("record", Map.of("event", "call-" + i), Object.class);
        }

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest status = HttpRequest.newBuilder(URI.create(b.endpoint().baseUri() + "/status/api/status"))
                .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(20)).GET().build();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            String json = http.send(status, HttpResponse.BodyHandlers.ofString()).body();
            // The server's own call count, read from its /metrics over HTTPS with the client certificate.
            assertThat(json).contains("\"server\":\"host-1\"", "\"calls\":4");
        });
    }
}

package io.hotline.discovery.consul;

import io.hotline.discovery.tls.PemTls;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.X509TrustManager;
import org.kiwiproject.consul.Consul;

/**
 * Builds the Consul client for the settings: URL, timeouts, the token as a header, and TLS from PEM files (read by
 * discovery-spi's {@link PemTls}).
 *
 * <p>{@code withAclToken} is not used: the client puts that token in the query string, and its exception messages
 * quote the URL.
 */
final class AgentConnection {

    private AgentConnection() {}

    static Consul connect(ConsulSettings s, Duration readTimeout) {
        Consul.Builder b = Consul.builder()
                .withUrl(s.address())
                .withPing(false)
                .withConnectTimeoutMillis(s.timeout().toMillis())
                .withReadTimeoutMillis(readTimeout.toMillis())
                .withWriteTimeoutMillis(s.timeout().toMillis());
        s.token().ifPresent(t -> b.withHeaders(Map.of("X-Consul-Token", t)));
        if (s.https()) {
            try {
                X509TrustManager trust = PemTls.trustManager(s.caFile().orElse(null));
                b.withSslContext(PemTls.clientContext(trust, s.certFile().orElse(null), s.keyFile().orElse(null)))
                        .withTrustManager(trust);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("cannot set up TLS to the Consul agent from "
                        + ConsulStoreProvider.CA_FILE + ", " + ConsulStoreProvider.CERT_FILE + " and "
                        + ConsulStoreProvider.KEY_FILE + ": " + e.getMessage(), e);
            }
        }
        return b.build();
    }
}

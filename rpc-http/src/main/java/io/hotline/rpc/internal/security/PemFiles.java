package io.hotline.rpc.internal.security;

import io.hotline.discovery.tls.PemTls;
import java.nio.file.Path;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Jetty's TLS set-ups from the PEM files OpenStack deployments already have (the proposal's ssl_certfile and
 * ssl_keyfile). The files are read by discovery-spi's {@link PemTls}, as the stores read theirs: PEM X.509
 * certificates and unencrypted PKCS#8 keys ({@code BEGIN PRIVATE KEY}), a key checked against its certificate.
 *
 * <pre>{@code
 * SslContextFactory.Server serverSide = PemFiles.serverTls(cert, key, null);         // no client certificates
 * SslContextFactory.Client clientSide = PemFiles.clientTls(caFile, null, null);      // trust this CA only
 * }</pre>
 *
 * <p>Public so that other Hotline processes serving HTTP (the broadcaster) set up TLS exactly as the RPC server and
 * client do.
 */
public final class PemFiles {

    private PemFiles() {}

    /**
     * Server-side TLS with this certificate chain and key; with {@code clientCaFile} (may be null), clients must
     * present a certificate signed by a CA in it.
     */
    public static SslContextFactory.Server serverTls(Path certFile, Path keyFile, Path clientCaFile) {
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStore(PemTls.keyStore(certFile, keyFile));
        tls.setKeyStorePassword(PemTls.IN_MEMORY_PASSWORD);
        if (clientCaFile != null) {
            tls.setTrustStore(PemTls.trustStore(clientCaFile));
            tls.setNeedClientAuth(true);
        }
        return tls;
    }

    /**
     * Client-side TLS trusting the CAs of {@code caFile} (null: the JDK's default CAs) and, with {@code certFile} and
     * {@code keyFile} (both null for none), presenting that client certificate.
     */
    public static SslContextFactory.Client clientTls(Path caFile, Path certFile, Path keyFile) {
        SslContextFactory.Client tls = new SslContextFactory.Client();
        if (caFile != null) {
            tls.setTrustStore(PemTls.trustStore(caFile));
        }
        if (certFile != null) {
            tls.setKeyStore(PemTls.keyStore(certFile, keyFile));
            tls.setKeyStorePassword(PemTls.IN_MEMORY_PASSWORD);
        }
        return tls;
    }
}

package io.hotline.rpc.internal.security;

import io.hotline.discovery.config.HotlineConfig;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The PEM files a client of the cluster trusts and presents over TLS, as configured by {@code hotline.http.tls.cafile},
 * {@code hotline.http.tls.client-certfile} and {@code hotline.http.tls.client-keyfile}: read once here for every
 * process that calls servers (RPC clients, broadcasters, the status page).
 *
 * <pre>{@code
 * ClientTls tls = ClientTls.from(config);
 * tls.caFile().ifPresent(builder::trust);
 * }</pre>
 *
 * @param caFile the CA certificates to trust instead of the JDK's
 * @param certFile the certificate to present; present exactly when {@code keyFile} is
 * @param keyFile the unencrypted PKCS#8 key of {@code certFile}
 */
public record ClientTls(Optional<Path> caFile, Optional<Path> certFile, Optional<Path> keyFile) {

    static final String CA_FILE = "hotline.http.tls.cafile";
    static final String CERT_FILE = "hotline.http.tls.client-certfile";
    static final String KEY_FILE = "hotline.http.tls.client-keyfile";

    /** Reads the three keys; a certificate without its key, or a key without its certificate, is an error. */
    public static ClientTls from(HotlineConfig config) {
        Optional<Path> ca = path(config, CA_FILE);
        Optional<Path> cert = path(config, CERT_FILE);
        Optional<Path> key = path(config, KEY_FILE);
        if (cert.isPresent() != key.isPresent()) {
            throw config.invalid(cert.isEmpty() ? KEY_FILE : CERT_FILE,
                    "needs its partner: set both " + CERT_FILE + " and " + KEY_FILE + ", or neither");
        }
        return new ClientTls(ca, cert, key);
    }

    /** Whether any of the files is set, so that TLS differs from the JDK's defaults. */
    public boolean isSet() {
        return caFile.isPresent() || certFile.isPresent();
    }

    private static Optional<Path> path(HotlineConfig config, String key) {
        return config.string(key).filter(f -> !f.isEmpty()).map(Path::of);
    }
}

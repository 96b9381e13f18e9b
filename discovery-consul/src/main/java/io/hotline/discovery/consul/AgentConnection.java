package io.hotline.discovery.consul;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.kiwiproject.consul.Consul;

/**
 * Builds the Consul client for the settings: URL, timeouts, the token as a header, and TLS from PEM files.
 *
 * <p>{@code withAclToken} is not used: the client puts that token in the query string, and its exception messages
 * quote the URL.
 */
final class AgentConnection {

    private static final char[] NO_PASSWORD = new char[0];

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
            X509TrustManager trust = trustManager(s);
            KeyManager[] keys = s.certFile().isPresent() ? keyManagers(s.certFile().get(), s.keyFile().orElseThrow())
                    : null;
            try {
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(keys, new TrustManager[] {trust}, null);
                b.withSslContext(ctx).withTrustManager(trust);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot set up TLS to the Consul agent: " + e, e);
            }
        }
        return b.build();
    }

    private static X509TrustManager trustManager(ConsulSettings s) {
        try {
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (s.caFile().isPresent()) {
                KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
                ks.load(null, null);
                int i = 0;
                for (Certificate c : certificates(s.caFile().get(), ConsulStoreProvider.CA_FILE)) {
                    ks.setCertificateEntry("ca-" + i++, c);
                }
                f.init(ks);
            } else {
                f.init((KeyStore) null);
            }
            for (TrustManager tm : f.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    return x;
                }
            }
            throw new IllegalStateException("the JDK offers no X509TrustManager");
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot trust the CA in " + ConsulStoreProvider.CA_FILE + " "
                    + s.caFile().map(Path::toString).orElse("") + ": " + e.getMessage(), e);
        }
    }

    private static KeyManager[] keyManagers(Path certFile, Path keyFile) {
        List<Certificate> chain = certificates(certFile, ConsulStoreProvider.CERT_FILE);
        PrivateKey key = privateKey(keyFile);
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            ks.setKeyEntry("client", key, NO_PASSWORD, chain.toArray(new Certificate[0]));
            KeyManagerFactory f = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            f.init(ks, NO_PASSWORD);
            return f.getKeyManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(ConsulStoreProvider.KEY_FILE + " " + keyFile + " does not go with "
                    + ConsulStoreProvider.CERT_FILE + " " + certFile + ": " + e.getMessage(), e);
        }
    }

    private static List<Certificate> certificates(Path file, String key) {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IllegalArgumentException(key + " " + file + " holds no PEM certificate");
            }
            return new ArrayList<>(certs);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(key + " " + file + " is not a PEM certificate file: " + e.getMessage(), e);
        }
    }

    /** An unencrypted PKCS#8 key ({@code BEGIN PRIVATE KEY}), RSA or EC, as {@code openssl genpkey} writes it. */
    private static PrivateKey privateKey(Path file) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException(ConsulStoreProvider.KEY_FILE + " " + file + " cannot be read: " + e, e);
        }
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException(ConsulStoreProvider.KEY_FILE + " " + file + " holds no unencrypted PKCS#8"
                    + " key (BEGIN PRIVATE KEY); convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException(ConsulStoreProvider.KEY_FILE + " " + file
                + " is not an RSA, EC or Ed25519 PKCS#8 key");
    }
}

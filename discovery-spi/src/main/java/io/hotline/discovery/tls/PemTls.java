package io.hotline.discovery.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * TLS from the PEM files OpenStack deployments already have (a CA file, a certificate file, a key file), with the
 * JDK only: the one place Hotline turns such files into key stores, trust managers and SSL contexts, for the RPC
 * layer and for the stores that talk TLS to their servers.
 *
 * <p>Certificates are read by the JDK's {@link CertificateFactory}; keys must be unencrypted PKCS#8
 * ({@code BEGIN PRIVATE KEY}: RSA, EC or Ed25519), which {@code openssl} writes by default since 3.0. A key that does not
 * belong to its certificate is refused here, with both file names, rather than failing a handshake later.
 * Errors name the file and say how to fix it; they never quote key material.
 *
 * <pre>{@code
 * X509TrustManager trust = PemTls.trustManager(Path.of("/etc/redis/ca.pem"));   // null: the JDK's CAs
 * SSLContext tls = PemTls.clientContext(trust,
 *         Path.of("/etc/hotline/client-cert.pem"), Path.of("/etc/hotline/client-key.pem"));  // nulls: no client cert
 * SSLSocketFactory sockets = tls.getSocketFactory();
 * }</pre>
 */
public final class PemTls {

    /**
     * The password of the key entry in {@link #keyStore}'s stores. Not a secret: such a store only lives in memory,
     * but the key store API insists on a password.
     */
    public static final String IN_MEMORY_PASSWORD = "hotline";

    private static final Pattern PKCS8 =
            Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private static final String PKCS8_FIX = "convert it with: openssl pkcs8 -topk8 -nocrypt -in OLD.pem -out NEW.pem";

    private PemTls() {}

    /**
     * The certificates of a PEM file, in file order (a chain starts with the leaf).
     *
     * @throws IllegalArgumentException if the file cannot be read, is not PEM X.509, or holds no certificate
     */
    public static List<X509Certificate> certificates(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> certificates = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certificates.add((X509Certificate) c);
            }
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("certificate file " + file + " holds no certificate; give a PEM file"
                        + " with one or more -----BEGIN CERTIFICATE----- blocks");
            }
            return List.copyOf(certificates);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read certificate file " + file + ": " + e, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("certificate file " + file + " is not PEM X.509 (-----BEGIN CERTIFICATE"
                    + "----- blocks): " + e.getMessage(), e);
        }
    }

    /**
     * The unencrypted PKCS#8 key ({@code BEGIN PRIVATE KEY}) of a PEM file.
     *
     * @throws IllegalArgumentException if the file cannot be read or holds no such RSA, EC or Ed25519 key
     */
    public static PrivateKey privateKey(Path file) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read key file " + file + ": " + e, e);
        }
        Matcher m = PKCS8.matcher(pem);
        if (!m.find()) {
            throw new IllegalArgumentException("key file " + file + " holds no unencrypted PKCS#8 key (-----BEGIN PRIVATE"
                    + " KEY-----); " + PKCS8_FIX);
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key file " + file + " holds a PKCS#8 block that is not base64; " + PKCS8_FIX);
        }
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("key file " + file + " holds a key that is not RSA, EC or Ed25519 PKCS#8; "
                + PKCS8_FIX);
    }

    /**
     * An in-memory key store holding the key of {@code keyFile}, with the certificate chain of {@code certFile}, under
     * {@link #IN_MEMORY_PASSWORD}.
     *
     * @throws IllegalArgumentException if a file is bad, or the key does not belong to the first certificate
     */
    public static KeyStore keyStore(Path certFile, Path keyFile) {
        List<X509Certificate> chain = certificates(certFile);
        PrivateKey key = privateKey(keyFile);
        if (!matches(key, chain.get(0))) {
            throw new IllegalArgumentException("key file " + keyFile + " does not match certificate file " + certFile
                    + " (the key's signature does not verify with the certificate's public key); give the key the"
                    + " certificate was made for");
        }
        try {
            KeyStore ks = emptyStore();
            ks.setKeyEntry("hotline", key, IN_MEMORY_PASSWORD.toCharArray(), chain.toArray(Certificate[]::new));
            return ks;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("key file " + keyFile + " and certificate file " + certFile
                    + " cannot go into a key store: " + e.getMessage(), e);
        }
    }

    /**
     * An in-memory trust store holding every certificate of {@code caFile}.
     *
     * @throws IllegalArgumentException if the file is bad
     */
    public static KeyStore trustStore(Path caFile) {
        List<X509Certificate> cas = certificates(caFile);
        try {
            KeyStore ks = emptyStore();
            for (int i = 0; i < cas.size(); i++) {
                ks.setCertificateEntry("ca-" + i, cas.get(i));
            }
            return ks;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot use CA file " + caFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * A trust manager trusting the CAs of {@code caFile}, or the JDK's default CAs when it is null.
     *
     * @throws IllegalArgumentException if the file is bad
     */
    public static X509TrustManager trustManager(Path caFile) {
        try {
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            f.init(caFile == null ? null : trustStore(caFile));
            for (TrustManager tm : f.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    return x;
                }
            }
            throw new IllegalStateException("the JDK's " + f.getAlgorithm() + " trust managers include no X.509 one");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot trust CA file " + caFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * A client-side TLS context trusting {@code trust} and, with {@code certFile} and {@code keyFile}, presenting that
     * client certificate to servers that ask for one.
     *
     * @param certFile the client certificate chain, or null for none
     * @param keyFile its key, or null for none; given exactly when {@code certFile} is
     * @throws IllegalArgumentException if only one of the files is given, or a file is bad
     */
    public static SSLContext clientContext(X509TrustManager trust, Path certFile, Path keyFile) {
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("a client certificate needs both its certificate file and its key file;"
                    + " got only the " + (certFile == null ? "key file " + keyFile : "certificate file " + certFile));
        }
        KeyManager[] keys = certFile == null ? null : keyManagers(certFile, keyFile);
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, new TrustManager[] {trust}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot set up a TLS client context: " + e.getMessage(), e);
        }
    }

    private static KeyManager[] keyManagers(Path certFile, Path keyFile) {
        KeyStore ks = keyStore(certFile, keyFile);
        try {
            KeyManagerFactory f = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            f.init(ks, IN_MEMORY_PASSWORD.toCharArray());
            return f.getKeyManagers();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("key file " + keyFile + " with certificate file " + certFile
                    + " cannot serve as a client certificate: " + e.getMessage(), e);
        }
    }

    private static KeyStore emptyStore() throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        return ks;
    }

    /** The key store would accept any pair; a signature checked with the certificate proves they belong together. */
    private static boolean matches(PrivateKey key, Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm();
        };
        try {
            byte[] probe = "hotline key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}

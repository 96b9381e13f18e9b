package io.hotline.rpc;

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
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * TLS set-ups from the PEM files OpenStack deployments already have (the proposal's ssl_certfile and ssl_keyfile).
 * Certificates are parsed by the JDK's CertificateFactory; keys must be unencrypted PKCS#8
 * ({@code BEGIN PRIVATE KEY}), which is what {@code openssl} writes by default since 3.0.
 *
 * <pre>{@code
 * SslContextFactory.Server serverSide = PemFiles.serverTls(cert, key, null);         // no client certificates
 * SslContextFactory.Client clientSide = PemFiles.clientTls(caFile, null, null);      // trust this CA only
 * }</pre>
 *
 * <p>Public so that other Hotline processes serving HTTP (the broadcaster) set up TLS exactly as the RPC server and
 * client do; the key store helpers behind it stay package-private.
 */
public final class PemFiles {

    /** Only held in memory, never written; the key store API insists on one. */
    static final char[] IN_MEMORY_PASSWORD = "hotline".toCharArray();

    private static final Pattern PKCS8 =
            Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private PemFiles() {}

    /**
     * Server-side TLS with this certificate chain and key; with {@code clientCaFile} (may be null), clients must
     * present a certificate signed by a CA in it.
     */
    public static SslContextFactory.Server serverTls(Path certFile, Path keyFile, Path clientCaFile) {
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStore(keyStore(certFile, keyFile));
        tls.setKeyStorePassword(new String(IN_MEMORY_PASSWORD));
        if (clientCaFile != null) {
            tls.setTrustStore(trustStore(clientCaFile));
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
            tls.setTrustStore(trustStore(caFile));
        }
        if (certFile != null) {
            tls.setKeyStore(keyStore(certFile, keyFile));
            tls.setKeyStorePassword(new String(IN_MEMORY_PASSWORD));
        }
        return tls;
    }

    /** A key store holding the key of {@code keyFile} with the certificate chain of {@code certFile}. */
    static KeyStore keyStore(Path certFile, Path keyFile) {
        Certificate[] chain = certificates(certFile).toArray(Certificate[]::new);
        if (chain.length == 0) {
            throw new IllegalArgumentException("certificate file " + certFile + " holds no PEM certificate");
        }
        PrivateKey key = privateKey(keyFile);
        if (!matches(key, chain[0])) {
            throw new IllegalArgumentException("key file " + keyFile + " does not match certificate file " + certFile
                    + ": the key did not sign for the certificate's public key");
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("hotline", key, IN_MEMORY_PASSWORD, chain);
            return ks;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("key file " + keyFile + " does not match certificate file " + certFile
                    + ": " + e.getMessage(), e);
        }
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

    /** A trust store holding every certificate of {@code caFile}. */
    static KeyStore trustStore(Path caFile) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (Certificate c : certificates(caFile)) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            if (i == 0) {
                throw new IllegalArgumentException("CA file " + caFile + " holds no PEM certificate");
            }
            return ks;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot use CA file " + caFile + ": " + e.getMessage(), e);
        }
    }

    private static Collection<? extends Certificate> certificates(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read certificate file " + file + ": " + e, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("certificate file " + file + " is not PEM X.509: " + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(Path file) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read key file " + file + ": " + e, e);
        }
        Matcher m = PKCS8.matcher(pem);
        if (!m.find()) {
            throw new IllegalArgumentException("key file " + file + " holds no unencrypted PKCS#8 key (BEGIN PRIVATE KEY);"
                    + " convert it with: openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("key file " + file + " holds a key that is not RSA, EC or Ed25519");
    }
}

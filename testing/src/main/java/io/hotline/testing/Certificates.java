package io.hotline.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed EC certificates and PKCS#8 keys as PEM files, made by the real {@code openssl}, for TLS tests.
 *
 * <pre>{@code
 * Certificates.selfSigned(dir, "server", "localhost", "IP:127.0.0.1,DNS:localhost");  // server-cert.pem, server-key.pem
 * Certificates.selfSigned(dir, "client", "nova-client", null);                        // client-cert.pem, client-key.pem
 * }</pre>
 */
public final class Certificates {

    private Certificates() {}

    /**
     * Writes {@code name-cert.pem} and {@code name-key.pem} into {@code dir}: a P-256 certificate for
     * {@code commonName}, valid for a day, with {@code subjectAltNames} (openssl's syntax) unless null.
     *
     * @throws IllegalStateException with openssl's output if it fails
     */
    public static void selfSigned(Path dir, String name, String commonName, String subjectAltNames)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", "/CN=" + commonName));
        if (subjectAltNames != null) {
            command.addAll(List.of("-addext", "subjectAltName=" + subjectAltNames));
        }
        command.addAll(List.of("-keyout", name + "-key.pem", "-out", name + "-cert.pem"));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("openssl did not finish within 30 s: " + command);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("openssl failed (" + p.exitValue() + "): " + command + "\n" + output);
        }
    }
}

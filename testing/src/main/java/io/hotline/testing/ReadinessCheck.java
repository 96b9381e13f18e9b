package io.hotline.testing;

import java.net.URI;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Tells whether a started server is ready for a test to use. {@link ServerProcess#start()} calls it every few tens
 * of milliseconds until it returns true, the process exits, or the startup timeout passes.
 *
 * <pre>{@code
 * ReadinessCheck consul = ReadinessCheck.http(URI.create("http://127.0.0.1:" + port + "/v1/status/leader"),
 *         body -> body.length() > 2)                                  // "" until a leader is elected
 *     .and(ReadinessCheck.http(URI.create("http://127.0.0.1:" + port + "/v1/catalog/nodes"),
 *         body -> body.contains("\"" + nodeName + "\"")));
 * ReadinessCheck redis = ReadinessCheck.tcp(port);
 * }</pre>
 *
 * <p>Check against something only your instance answers (its node name, a token record): a free port can be taken
 * by another process between probing and use. Each attempt must be short; the built-in checks give up an attempt
 * after at most two seconds.
 */
@FunctionalInterface
public interface ReadinessCheck {

    /**
     * One attempt.
     *
     * @return true when the server is ready; false, or an exception, means not yet
     * @throws Exception not ready yet; the message of the last one is reported if startup times out
     */
    boolean isReady() throws Exception;

    /** Ready when this check and then {@code next} both are. */
    default ReadinessCheck and(ReadinessCheck next) {
        Objects.requireNonNull(next, "next");
        return () -> isReady() && next.isReady();
    }

    /** Ready when a TCP connection to 127.0.0.1:{@code port} succeeds within 500 ms. */
    static ReadinessCheck tcp(int port) {
        return new TcpCheck(port);
    }

    /** Ready when {@code GET uri} answers 2xx within two seconds (500 ms to connect), with no proxy. */
    static ReadinessCheck http(URI uri) {
        return http(uri, body -> true);
    }

    /** Ready when {@code GET uri} answers 2xx with a body that {@code body} accepts, within two seconds. */
    static ReadinessCheck http(URI uri, Predicate<String> body) {
        return new HttpCheck(uri, body);
    }
}

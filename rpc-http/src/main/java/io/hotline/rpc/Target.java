package io.hotline.rpc;

import io.hotline.rpc.internal.wire.Version;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a message goes, as in oslo.messaging: an exchange and topic (together the service, e.g.
 * {@code nova.conductor}), optionally one server, a namespace and a version.
 *
 * <pre>{@code
 * Target conductor = Target.topic("conductor").exchange("nova").version("1.3");
 * Target oneHost = conductor.server("compute-17");       // only that server
 * Target everyone = conductor.asFanout();                 // a fanout cast (via the broadcaster)
 * }</pre>
 *
 * @param exchange the exchange, or null (the service is then the topic alone)
 * @param topic the topic; required
 * @param server one server's name, or null for any server of the topic
 * @param namespace the endpoint namespace, or null for the default one
 * @param version the API version, {@code major.minor}; null means 1.0
 * @param fanout whether a cast goes to every server of the topic
 */
public record Target(String exchange, String topic, String server, String namespace, String version,
        boolean fanout) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

    public Target {
        requireName("topic", topic);
        if (exchange != null) {
            requireName("exchange", exchange);
        }
        if (version != null) {
            Version.parse(version);
        }
        if (server != null && server.isBlank()) {
            throw new IllegalArgumentException("server is blank; leave it unset to target any server of the topic");
        }
        if (fanout && server != null) {
            throw new IllegalArgumentException("a fanout target goes to every server; it cannot name server " + server);
        }
    }

    /** A target for {@code topic} with no exchange, server, namespace or version. */
    public static Target topic(String topic) {
        return new Target(null, topic, null, null, null, false);
    }

    public Target exchange(String exchange) {
        return new Target(exchange, topic, server, namespace, version, fanout);
    }

    public Target server(String server) {
        return new Target(exchange, topic, server, namespace, version, fanout);
    }

    public Target namespace(String namespace) {
        return new Target(exchange, topic, server, namespace, version, fanout);
    }

    public Target version(String version) {
        return new Target(exchange, topic, server, namespace, version, fanout);
    }

    /** This target as a fanout target: a cast goes to every server of the topic. */
    public Target asFanout() {
        return new Target(exchange, topic, server, namespace, version, true);
    }

    /** The service name servers register under: {@code exchange.topic}, or the topic alone. */
    public String service() {
        return exchange == null ? topic : exchange + "." + topic;
    }

    private static void requireName(String what, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " '" + value
                    + "' is invalid; use 1-64 letters, digits, '-' or '_', starting with a letter or digit");
        }
    }
}

package io.hotline.rpc;

import io.hotline.discovery.Untrusted;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How a client's requests travel to {@code http://} servers; config key {@value RpcClient#TRANSPORT}.
 * {@code https://} servers are always called over HTTP/1.1 (h2 over TLS needs ALPN, which Hotline's listeners do not
 * offer).
 *
 * <pre>{@code
 * // a conductor that calls a few schedulers a lot: one multiplexed connection to each
 * RpcClient client = RpcClient.builder(store).transport(HttpTransport.H2C).build();
 * }</pre>
 */
public enum HttpTransport {

    /** HTTP/1.1, a connection per request in flight; the default. */
    HTTP_1_1("http/1.1"),

    /**
     * HTTP/2 without TLS, with prior knowledge: one connection to each server carries up to the server's streams per
     * connection (128 for a Hotline server) at once; servers with {@code hotline.http.h2c=false} refuse it.
     */
    H2C("h2c");

    private final String configValue;

    HttpTransport(String configValue) {
        this.configValue = configValue;
    }

    /** As written in the config: {@code http/1.1} or {@code h2c}. */
    public String configValue() {
        return configValue;
    }

    /**
     * The transport written {@code value} in the config.
     *
     * @throws IllegalArgumentException naming the value (escaped and cut short) and the values allowed
     */
    public static HttpTransport parse(String value) {
        for (HttpTransport t : values()) {
            if (t.configValue.equals(value)) {
                return t;
            }
        }
        throw new IllegalArgumentException("'" + Untrusted.excerpt(value) + "' is not one of "
                + Arrays.stream(values()).map(HttpTransport::configValue).collect(Collectors.joining(", ")));
    }
}

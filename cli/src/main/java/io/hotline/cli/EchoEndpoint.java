package io.hotline.cli;

import java.util.Map;

/**
 * The endpoint {@code hotline server} serves unless told another: enough to try calls, casts and fanouts by hand.
 * {@code echo(value)} returns its argument, {@code ping()} returns the server's name, {@code fail(message)} throws.
 */
public final class EchoEndpoint {

    private final String server;

    public EchoEndpoint(String server) {
        this.server = server;
    }

    public Object echo(Object value) {
        return value;
    }

    public Map<String, String> ping() {
        return Map.of("server", server);
    }

    public void fail(String message) {
        throw new IllegalStateException(message);
    }
}

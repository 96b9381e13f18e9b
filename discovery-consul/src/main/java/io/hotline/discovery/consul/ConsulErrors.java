package io.hotline.discovery.consul;

import io.hotline.discovery.StoreException;
import io.hotline.discovery.StoreUnavailableException;
import org.kiwiproject.consul.ConsulException;

/**
 * Turns the client's {@link ConsulException} into the SPI's errors, with messages that say what to do. The token
 * travels in the {@code X-Consul-Token} header, never in a URL, so the client's messages (which quote the URL) hold
 * no secret.
 */
final class ConsulErrors {

    private ConsulErrors() {}

    /**
     * @param agent the agent's address, for the message
     * @param what what was being done, e.g. {@code "register e1 of nova.conductor"}
     * @param tokenSet whether a token was sent, to tell a missing token from one lacking rights
     */
    static StoreException translate(ConsulException e, String agent, String what, boolean tokenSet) {
        if (!e.hasCode()) {
            return new StoreUnavailableException("cannot reach the Consul agent at " + agent + " to " + what + ": "
                    + rootCause(e), e);
        }
        int code = e.getCode();
        if (code == 403) {
            return new StoreException("the Consul agent at " + agent + " refused to " + what + " (403 " + body(e) + ")"
                    + (tokenSet ? "; the token in " + ConsulStoreProvider.TOKEN + " lacks the rights (it needs"
                            + " service:write for the service and read on nodes and services)"
                            : "; the agent enforces ACLs: set " + ConsulStoreProvider.TOKEN + " (the [consul] token)"
                                    + " to an ACL token with service:write"), e);
        }
        if (code >= 500) {
            return new StoreUnavailableException("the Consul agent at " + agent + " could not " + what + " ("
                    + code + "): " + body(e), e);
        }
        return new StoreException("the Consul agent at " + agent + " refused to " + what + " (" + code + "): "
                + body(e), e);
    }

    /** Consul's own explanation: the client's message ends with the response body after the status. */
    static String body(ConsulException e) {
        String m = String.valueOf(e.getMessage());
        int at = m.lastIndexOf("]: ");
        return (at >= 0 ? m.substring(at + 3) : m).strip();
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.toString();
    }
}

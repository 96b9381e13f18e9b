package io.hotline.discovery.redis;

import io.hotline.discovery.StoreException;
import io.hotline.discovery.StoreUnavailableException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import javax.net.ssl.SSLException;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Turns Jedis's {@link JedisException}s into the SPI's errors, with messages that say what to fix: a deployment that
 * cannot answer now (no connection, {@code LOADING}, {@code CLUSTERDOWN}, {@code MASTERDOWN}-like replies) is a
 * {@link StoreUnavailableException}; refused credentials, missing ACL rights and other refusals are
 * {@link StoreException}s that name the keys to check. Messages quote Redis's reply and the settings' description,
 * which never holds the password.
 */
final class RedisErrors {

    private RedisErrors() {}

    /**
     * @param settings the deployment's settings, for the message and the keys to name
     * @param what what was being done, e.g. {@code "register e1 of nova.conductor"}
     */
    static StoreException translate(JedisException e, RedisSettings settings, String what) {
        String problem = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (problem.startsWith("NOPERM")) {
            String prefix = settings.keyPrefix();
            return new StoreException("Redis " + settings + " does not allow this user to " + what + " (" + problem
                    + "); its ACL needs the keys ~" + prefix + ":*, the channel &" + prefix
                    + ":* and the commands its scripts use (+@all, or at least " + RedisDeployment.ACL_COMMANDS + ")",
                    e);
        }
        if (e instanceof JedisAccessControlException || problem.startsWith("NOAUTH") || problem.startsWith("WRONGPASS")) {
            return new StoreException("Redis " + settings + " refused the credentials to " + what + " (" + problem
                    + "); check " + settings.keys() + "user and " + settings.keys() + "password against the server's ACL",
                    e);
        }
        if (e instanceof JedisDataException && !problem.matches("(?s)(LOADING|CLUSTERDOWN|MASTERDOWN|TRYAGAIN|READONLY"
                + "|BUSY).*")) {
            return new StoreException("Redis " + settings + " refused to " + what + ": " + problem, e);
        }
        return new StoreUnavailableException("Redis " + settings + " is unavailable; cannot " + what + ": " + problem
                + tlsHint(e, settings), e);
    }

    /**
     * A TLS server drops a client it does not accept, so that Jedis sees a reset or a handshake failure; say what to
     * check, since the socket error alone does not. Nothing to add when the server is simply not there.
     */
    private static String tlsHint(Throwable e, RedisSettings settings) {
        if (!settings.tls()) {
            return "";
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
                return "";
            }
            if (t instanceof SSLException || t instanceof SocketException) {
                String k = settings.keys();
                return " (with TLS, check that " + k + "tls.cafile holds the CA of the server's certificate, and"
                        + (settings.certFile().isPresent() ? " that the server's tls-ca-cert-file holds the CA of "
                        + k + "tls.certfile" : " set " + k + "tls.certfile and " + k + "tls.keyfile"
                        + " if the server requires client certificates (tls-auth-clients yes, its default)") + ")";
            }
        }
        return "";
    }
}

package io.hotline.discovery.redis;

import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.config.RemoteZones;
import io.hotline.discovery.tls.PemTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import redis.clients.jedis.HostAndPort;

/**
 * How to reach one Redis deployment, read from {@code hotline.redis.*} (the home deployment) or
 * {@code hotline.redis.remote.<alias>.*} (a federated zone's). Every value is checked here, so that a bad one is
 * reported at open with its key and source; the password is never repeated.
 *
 * @param mode standalone, sentinel or cluster
 * @param nodes the server (standalone), the sentinels, or the cluster's seed nodes
 * @param sentinelMaster the master name the sentinels know, for sentinel mode
 * @param user the ACL user, or empty for the default user
 * @param password the password, or empty for none
 * @param sentinelUser the sentinels' own ACL user, or empty
 * @param sentinelPassword the sentinels' own password, or empty
 * @param tls whether to connect with TLS
 * @param caFile the PEM file of certificate authorities to trust with TLS, or empty for the JDK's
 * @param certFile the PEM client certificate (chain) to present with TLS, or empty for none
 * @param keyFile the unencrypted PKCS#8 key of {@code certFile}; present exactly when it is
 * @param verifyHostname whether the server certificate must name the host connected to
 * @param connectTimeout how long a connection may take to open
 * @param timeout how long one command may take
 * @param keyPrefix the first part of every key and of the change channel
 * @param resyncInterval how often a watch re-reads in full even without a change notice
 * @param sweepInterval how often one of the live clients sweeps every service, read or not
 * @param keys the prefix of the config keys these came from, {@code hotline.redis.} or
 *     {@code hotline.redis.remote.<alias>.}, so that a message names the key to fix
 */
record RedisSettings(Mode mode, List<HostAndPort> nodes, String sentinelMaster, String user, String password,
        String sentinelUser, String sentinelPassword, boolean tls, Optional<Path> caFile, Optional<Path> certFile,
        Optional<Path> keyFile, boolean verifyHostname,
        Duration connectTimeout, Duration timeout, String keyPrefix, Duration resyncInterval, Duration sweepInterval,
        String keys) {

    static final String PREFIX = "hotline.redis.";

    private static final Pattern KEY_PREFIX = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);

    /** The three ways Redis runs. */
    enum Mode {
        STANDALONE, SENTINEL, CLUSTER
    }

    /** For messages, e.g. {@code standalone [127.0.0.1:6379] as hotline with TLS}; never the password. */
    @Override
    public String toString() {
        return mode.name().toLowerCase(Locale.ROOT) + " " + nodes + (sentinelMaster.isEmpty() ? "" : " master "
                + sentinelMaster) + (user.isEmpty() ? "" : " as " + user) + (tls ? " with TLS" : "");
    }

    /** The home deployment's settings. */
    static RedisSettings home(HotlineConfig config) {
        return read(config, PREFIX);
    }

    /**
     * The federated zones' deployments, by zone: {@code hotline.redis.remotes} lists aliases, and each alias's
     * {@code hotline.redis.remote.<alias>.zone} and connection keys describe one.
     */
    static Map<Zone, RedisSettings> remotes(HotlineConfig config, Zone home) {
        Map<Zone, RedisSettings> remotes = new LinkedHashMap<>();
        RemoteZones.read(config, PREFIX, home).forEach((zone, prefix) -> remotes.put(zone, read(config, prefix)));
        return remotes;
    }

    private static RedisSettings read(HotlineConfig config, String p) {
        Mode mode = mode(config, p + "mode");
        String nodesKey = p + "nodes";
        List<HostAndPort> nodes = nodes(config, nodesKey, mode == Mode.SENTINEL ? 26379 : 6379);
        if (mode == Mode.STANDALONE && nodes.size() != 1) {
            throw config.invalid(nodesKey, "lists " + nodes.size()
                    + " servers; standalone mode takes one host:port (use mode sentinel or cluster for several)");
        }
        String master = config.string(p + "sentinel-master", "");
        if (mode == Mode.SENTINEL && master.isEmpty()) {
            throw config.invalid(p + "sentinel-master", "is missing; sentinel mode needs the master name the "
                    + "sentinels monitor (their 'sentinel monitor NAME ...' line)");
        }
        if (mode != Mode.SENTINEL && !master.isEmpty()) {
            throw config.invalid(p + "sentinel-master", "is set but " + p + "mode is " + mode.name().toLowerCase(
                    Locale.ROOT) + "; set the mode to sentinel or remove it");
        }
        String user = config.string(p + "user", "");
        String password = config.string(p + "password", "");
        if (!user.isEmpty() && password.isEmpty()) {
            throw config.invalid(p + "password", "is missing while " + p + "user is set; an ACL user needs its password");
        }
        String sentinelUser = config.string(p + "sentinel-user", "");
        String sentinelPassword = config.string(p + "sentinel-password", "");
        boolean tls = config.flag(p + "tls.enabled", false);
        Optional<Path> ca = config.string(p + "tls.cafile").filter(s -> !s.isEmpty()).map(Path::of);
        if (ca.isPresent() && !Files.isReadable(ca.get())) {
            throw config.invalid(p + "tls.cafile", "cannot be read; give the path of a PEM file of CA certificates");
        }
        if (ca.isPresent() && !tls) {
            throw config.invalid(p + "tls.cafile", "is set but " + p + "tls.enabled is not; enable TLS or remove it");
        }
        Optional<Path> cert = clientFile(config, p + "tls.certfile", tls, p + "tls.enabled");
        Optional<Path> key = clientFile(config, p + "tls.keyfile", tls, p + "tls.enabled");
        if (cert.isPresent() != key.isPresent()) {
            String given = p + (cert.isPresent() ? "tls.certfile" : "tls.keyfile");
            throw config.invalid(given, "is set without " + p + (cert.isPresent() ? "tls.keyfile" : "tls.certfile")
                    + "; a client certificate and its key go together: set both or neither");
        }
        if (cert.isPresent()) {
            try {
                PemTls.keyStore(cert.get(), key.get());
            } catch (IllegalArgumentException e) {
                throw config.invalid(p + "tls.keyfile", "cannot serve with " + p + "tls.certfile: " + e.getMessage());
            }
        }
        boolean verifyHostname = config.flag(p + "tls.verify-hostname", true);
        Duration connect = config.positiveDuration(p + "connect-timeout", Duration.ofSeconds(2), MAX_TIMEOUT);
        Duration timeout = config.positiveDuration(p + "timeout", Duration.ofSeconds(2), MAX_TIMEOUT);
        String keyPrefix = config.string(p + "key-prefix", "hotline");
        if (!KEY_PREFIX.matcher(keyPrefix).matches()) {
            throw config.invalid(p + "key-prefix", "is not a key prefix; use 1-64 letters, digits, '.', '_', ':' or '-' "
                    + "(no braces: they would change the Cluster hash slot)");
        }
        Duration resync = config.positiveDuration(p + "resync-interval", Duration.ofSeconds(30), MAX_TIMEOUT);
        Duration sweep = config.positiveDuration(p + "sweep-interval", Duration.ofSeconds(30), MAX_TIMEOUT);
        return new RedisSettings(mode, nodes, master, user, password, sentinelUser, sentinelPassword, tls, ca, cert,
                key, verifyHostname, connect, timeout, keyPrefix, resync, sweep, p);
    }

    /** A readable client certificate or key file, which only makes sense with TLS. */
    private static Optional<Path> clientFile(HotlineConfig config, String key, boolean tls, String tlsKey) {
        Optional<Path> file = config.string(key).filter(s -> !s.isEmpty()).map(Path::of);
        if (file.isPresent() && !Files.isReadable(file.get())) {
            throw config.invalid(key, "cannot be read; give the path of a PEM file (the client certificate, or its"
                    + " unencrypted PKCS#8 key)");
        }
        if (file.isPresent() && !tls) {
            throw config.invalid(key, "is set but " + tlsKey + " is not; enable TLS or remove it");
        }
        return file;
    }

    private static Mode mode(HotlineConfig config, String key) {
        String raw = config.string(key, "standalone").toLowerCase(Locale.ROOT);
        return switch (raw) {
            case "", "standalone" -> Mode.STANDALONE;
            case "sentinel" -> Mode.SENTINEL;
            case "cluster" -> Mode.CLUSTER;
            default -> throw config.invalid(key, "is not a Redis mode; use standalone, sentinel or cluster");
        };
    }

    private static List<HostAndPort> nodes(HotlineConfig config, String key, int defaultPort) {
        List<HostAndPort> nodes = config.addresses(key, defaultPort).stream()
                .map(a -> new HostAndPort(a.getHostString(), a.getPort())).toList();
        return nodes.isEmpty() ? List.of(new HostAndPort("127.0.0.1", defaultPort)) : nodes;
    }


}

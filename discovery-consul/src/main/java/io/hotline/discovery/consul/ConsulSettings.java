package io.hotline.discovery.consul;

import static io.hotline.discovery.consul.ConsulStoreProvider.CA_FILE;
import static io.hotline.discovery.consul.ConsulStoreProvider.CERT_FILE;
import static io.hotline.discovery.consul.ConsulStoreProvider.CHECK_DEREGISTER;
import static io.hotline.discovery.consul.ConsulStoreProvider.CHECK_TIMEOUT;
import static io.hotline.discovery.consul.ConsulStoreProvider.DATACENTER;
import static io.hotline.discovery.consul.ConsulStoreProvider.HOST;
import static io.hotline.discovery.consul.ConsulStoreProvider.HTTP_CHECK;
import static io.hotline.discovery.consul.ConsulStoreProvider.KEY_FILE;
import static io.hotline.discovery.consul.ConsulStoreProvider.PORT;
import static io.hotline.discovery.consul.ConsulStoreProvider.SCHEME;
import static io.hotline.discovery.consul.ConsulStoreProvider.TIMEOUT;
import static io.hotline.discovery.consul.ConsulStoreProvider.TOKEN;
import static io.hotline.discovery.consul.ConsulStoreProvider.WATCH_WAIT;

import io.hotline.discovery.config.HotlineConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** The {@code hotline.consul.*} keys, read and checked once. The token is kept out of {@link #toString()}. */
record ConsulSettings(String host, int port, boolean https, Optional<String> token, Optional<Path> caFile,
        Optional<Path> certFile, Optional<Path> keyFile, Optional<Duration> checkTimeout,
        Optional<Duration> checkDeregister, boolean httpCheck, Duration watchWait, Duration timeout,
        Optional<String> datacenter) {

    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9._:\\[\\]-]{1,253}");
    private static final Pattern TOKEN_TEXT = Pattern.compile("[\\x21-\\x7e]{1,256}");
    private static final Pattern DATACENTER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");
    private static final Duration MAX_WAIT = Duration.ofMinutes(10);

    static ConsulSettings from(HotlineConfig config) {
        String host = config.string(HOST, "127.0.0.1");
        if (!HOST_NAME.matcher(host).matches()) {
            throw config.invalid(HOST, "is not a host name or IP address");
        }
        String scheme = config.string(SCHEME, "http").toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw config.invalid(SCHEME, "must be http or https");
        }
        boolean https = scheme.equals("https");
        int port = config.integer(PORT, https ? 8501 : 8500);
        if (port < 1 || port > 65535) {
            throw config.invalid(PORT, "is outside 1-65535");
        }
        Optional<String> token = config.string(TOKEN).filter(t -> !t.isEmpty());
        if (token.isPresent() && !TOKEN_TEXT.matcher(token.get()).matches()) {
            throw config.invalid(TOKEN, "must be 1-256 printable characters without spaces (a Consul ACL token's"
                    + " SecretID)");
        }
        Optional<Path> ca = file(config, CA_FILE);
        Optional<Path> cert = file(config, CERT_FILE);
        Optional<Path> key = file(config, KEY_FILE);
        if (!https && (ca.isPresent() || cert.isPresent())) {
            throw config.invalid(ca.isPresent() ? CA_FILE : CERT_FILE, "is set but " + SCHEME
                    + " is not https; set " + SCHEME + "=https to talk TLS to the agent");
        }
        if (cert.isPresent() != key.isPresent()) {
            throw config.invalid(cert.isPresent() ? CERT_FILE : KEY_FILE, "needs " + (cert.isPresent() ? KEY_FILE
                    : CERT_FILE) + " as well: a client certificate and its key go together");
        }
        Optional<Duration> checkTimeout = positive(config, CHECK_TIMEOUT);
        Optional<Duration> checkDeregister = positive(config, CHECK_DEREGISTER);
        if (checkTimeout.isPresent() && checkDeregister.isPresent()
                && checkDeregister.get().compareTo(checkTimeout.get()) < 0) {
            throw config.invalid(CHECK_DEREGISTER, "is shorter than " + CHECK_TIMEOUT + " " + checkTimeout.get()
                    + "; an endpoint must be critical before it is removed");
        }
        Duration wait = config.duration(WATCH_WAIT, Duration.ofSeconds(30));
        if (wait.compareTo(Duration.ofSeconds(1)) < 0 || wait.compareTo(MAX_WAIT) > 0) {
            throw config.invalid(WATCH_WAIT, "must be between 1s and 10m (Consul's longest blocking query)");
        }
        Duration timeout = config.duration(TIMEOUT, Duration.ofSeconds(5));
        if (timeout.compareTo(Duration.ofMillis(100)) < 0) {
            throw config.invalid(TIMEOUT, "is shorter than 100ms");
        }
        Optional<String> dc = config.string(DATACENTER).filter(d -> !d.isEmpty());
        if (dc.isPresent() && !DATACENTER_NAME.matcher(dc.get()).matches()) {
            throw config.invalid(DATACENTER, "is not a Consul datacenter name (letters, digits, '_' and '-')");
        }
        return new ConsulSettings(host, port, https, token, ca, cert, key, checkTimeout, checkDeregister,
                config.flag(HTTP_CHECK, false), wait, timeout, dc);
    }

    /** {@code http://host:port}, as it appears in messages. */
    String address() {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return (https ? "https" : "http") + "://" + h + ":" + port;
    }

    private static Optional<Path> file(HotlineConfig config, String key) {
        Optional<String> raw = config.string(key).filter(s -> !s.isEmpty());
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        Path p = Path.of(raw.get());
        if (!Files.isReadable(p)) {
            throw config.invalid(key, "names no readable file");
        }
        return Optional.of(p);
    }

    private static Optional<Duration> positive(HotlineConfig config, String key) {
        Duration d = config.duration(key, Duration.ZERO);
        if (config.string(key).filter(s -> !s.isEmpty()).isEmpty()) {
            return Optional.empty();
        }
        if (d.isZero()) {
            throw config.invalid(key, "must be longer than zero");
        }
        return Optional.of(d);
    }

    @Override
    public String toString() {
        return "ConsulSettings[" + address() + ", token " + (token.isPresent() ? "set" : "unset") + "]";
    }
}

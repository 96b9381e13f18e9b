package io.hotline.discovery.config;

import io.hotline.discovery.Zone;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hotline's configuration: {@code hotline.*} keys read from, in order of precedence, system properties, the
 * environment ({@code hotline.file.poll-interval} is {@code HOTLINE_FILE_POLL_INTERVAL}) and a file named by
 * {@code hotline.config} / {@code HOTLINE_CONFIG}. Immutable.
 *
 * <pre>{@code
 * HotlineConfig config = HotlineConfig.load();
 * Duration poll = config.duration("hotline.file.poll-interval", Duration.ofSeconds(1));
 * HotlineConfig test = HotlineConfig.of(Map.of("hotline.store", "memory")).with("hotline.zone", "az-1");
 * }</pre>
 *
 * <p>The file is either a properties file of {@code hotline.*} keys or, so that operators can point Hotline at
 * the oslo config file they already keep (e.g. {@code /etc/nova/nova.conf}), an INI file read as it is. A file is
 * INI when its first line that is neither blank nor a comment is a {@code [section]} header, or when its name ends
 * in {@code .ini}, {@code .conf} or {@code .cfg}. The proposal's options land on Hotline's keys (listed in
 * {@code IniOptions}), every other option {@code [s] o_p} on {@code hotline.s.o-p}, and a {@code [hotline]}
 * section's {@code o_p} on {@code hotline.o-p}. This file
 *
 * <pre>
 * [oslo_messaging_http]
 * port_range = 20000:20100
 *
 * [consul]
 * host = 127.0.0.1
 * check_timeout = 60s
 *
 * [http_driver]
 * http_token = ...
 * enable_ssl = True
 * listen_timeout = 30
 *
 * [redis]
 * sentinel_master = mymaster
 * </pre>
 *
 * <p>sets {@code hotline.http.port-range}, {@code hotline.consul.host}, {@code hotline.consul.check-timeout},
 * {@code hotline.http.token}, {@code hotline.http.tls.enabled} (a {@link #flag}), {@code hotline.http.listen-timeout}
 * (30 seconds, as oslo durations are) and {@code hotline.redis.sentinel-master}, and
 * {@link #sourceOf sourceOf("hotline.http.token")} is {@code file /etc/nova/nova.conf [http_driver] http_token}.
 *
 * <p>Values are taken literally, because a token may contain {@code $}: neither oslo's {@code $option} references
 * nor {@code ${x}} are expanded, so {@code pa$$word} comes through as written. Unlike oslo.config, a {@code #} or
 * {@code ;} after a space starts a comment, so quote a value that contains one: {@code http_token = "a ;b"}.
 * Continuation lines are refused; a value is on one line. A malformed file is an {@link IllegalArgumentException}
 * naming the line, never quoting it.
 *
 * <p>A malformed value is an {@link IllegalArgumentException} naming the key, where the value came from and
 * what would be accepted; values of keys that look secret ({@code token}, {@code password}, {@code secret},
 * {@code key}) are never repeated in messages.
 */
public final class HotlineConfig {

    /** Which store to use; {@value #DEFAULT_STORE} when unset. */
    public static final String STORE = "hotline.store";
    /** This process's zone path; {@code local} when unset. */
    public static final String ZONE = "hotline.zone";
    /** A properties or INI file to read further keys from. */
    public static final String CONFIG_FILE = "hotline.config";
    public static final String DEFAULT_STORE = "file";

    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)?");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}]");
    private static final Pattern SECRET = Pattern.compile("(?i).*(token|password|secret|key).*");

    /** Where keys come from; {@code origin} tells users where to change one, e.g. {@code environment HOTLINE_ZONE}. */
    private record Source(String description, Function<String, String> lookup, Function<String, String> origin) {
        Source(String description, Function<String, String> lookup) {
            this(description, lookup, key -> description);
        }
    }

    private final List<Source> sources;

    private HotlineConfig(List<Source> sources) {
        this.sources = List.copyOf(sources);
    }

    /** System properties, then environment, then the file named by {@code hotline.config}, if any. */
    public static HotlineConfig load() {
        Properties system = System.getProperties();
        Map<String, String> env = System.getenv();
        List<Source> sources = new ArrayList<>();
        sources.add(new Source("system property", system::getProperty));
        sources.add(new Source("environment", key -> env.get(envName(key)), key -> "environment " + envName(key)));
        HotlineConfig partial = new HotlineConfig(sources);
        Optional<String> file = partial.string(CONFIG_FILE);
        if (file.isPresent()) {
            try {
                sources.add(fileSource(Path.of(file.get())));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage() + "; " + CONFIG_FILE + " (from "
                        + partial.sourceOf(CONFIG_FILE) + ") names it", e);
            }
        }
        return new HotlineConfig(sources);
    }

    /**
     * System properties, then environment, then {@code file} instead of the one {@code hotline.config} names: what a
     * command's {@code --config FILE} option means.
     *
     * @throws IllegalArgumentException if the file cannot be read
     */
    public static HotlineConfig load(Path file) {
        Properties system = System.getProperties();
        Map<String, String> env = System.getenv();
        return new HotlineConfig(List.of(
                new Source("system property", system::getProperty),
                new Source("environment", key -> env.get(envName(key)), key -> "environment " + envName(key)),
                fileSource(file)));
    }

    /** Exactly these values, nothing from the environment. */
    public static HotlineConfig of(Map<String, String> values) {
        Map<String, String> copy = Map.copyOf(values);
        return new HotlineConfig(List.of(new Source("given configuration", copy::get)));
    }

    /**
     * The keys of one properties or INI file (see above for how INI options map to keys).
     *
     * @throws IllegalArgumentException if it cannot be read
     */
    public static HotlineConfig fromFile(Path file) {
        return new HotlineConfig(List.of(fileSource(file)));
    }

    /** This configuration with {@code key} set to {@code value}, which takes precedence over every source. */
    public HotlineConfig with(String key, String value) {
        return with(key, value, "override");
    }

    /**
     * As {@link #with(String, String)}, with where the value came from for error messages, e.g.
     * {@code option --cast-threads}.
     */
    public HotlineConfig with(String key, String value, String origin) {
        List<Source> sources = new ArrayList<>();
        sources.add(new Source(origin, k -> k.equals(key) ? value : null));
        sources.addAll(this.sources);
        return new HotlineConfig(sources);
    }

    /** The environment variable read for {@code key}: upper case, dots and dashes as underscores. */
    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public Optional<String> string(String key) {
        for (Source s : sources) {
            String v = s.lookup.apply(key);
            if (v != null) {
                return Optional.of(v.strip());
            }
        }
        return Optional.empty();
    }

    public String string(String key, String defaultValue) {
        return string(key).orElse(defaultValue);
    }

    /**
     * A duration written as {@code 500ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code 1d}, an ISO-8601
     * {@code PT10S}, or a bare number of seconds (as oslo options are).
     */
    public Duration duration(String key, Duration defaultValue) {
        Optional<String> raw = string(key);
        if (raw.isEmpty() || raw.get().isEmpty()) {
            return defaultValue;
        }
        String v = raw.get();
        Matcher m = DURATION.matcher(v);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofSeconds(n);
            };
        }
        try {
            Duration d = Duration.parse(v);
            if (!d.isNegative()) {
                return d;
            }
        } catch (DateTimeParseException e) {
            // reported below with the key and source
        }
        throw invalid(key, "is not a duration; write e.g. 500ms, 10s, 5m, 2h or PT10S");
    }

    /**
     * A duration of more than zero and at most {@code max}, e.g. a timeout or poll interval.
     *
     * @throws IllegalArgumentException naming the key, if it is zero, longer than {@code max} or no duration
     */
    public Duration positiveDuration(String key, Duration defaultValue, Duration max) {
        Duration d = duration(key, defaultValue);
        if (d.isZero() || d.compareTo(max) > 0) {
            throw invalid(key, "must be more than zero and at most " + (max.toSecondsPart() == 0 && max.toMinutes() > 0
                    ? max.toMinutes() + " minutes" : max.toMillis() + " ms"));
        }
        return d;
    }

    /**
     * The {@code host:port} addresses of a comma-separated list such as {@code 10.0.0.5:6379,[::1]:6380}, not resolved
     * (so a name that does not resolve yet is no error here); a bare host takes {@code defaultPort}; empty if the key
     * is not set.
     *
     * @throws IllegalArgumentException naming the key, for a host that is neither a DNS name nor an IP address (IPv6 in
     *     brackets), or a port outside 1-65535
     */
    public List<InetSocketAddress> addresses(String key, int defaultPort) {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String item : list(key)) {
            int colon = item.lastIndexOf(':');
            boolean bare = colon < 0 || item.endsWith("]");
            String host = bare ? item : item.substring(0, colon);
            String port = bare ? Integer.toString(defaultPort) : item.substring(colon + 1);
            if (!HOST.matcher(host).matches()) {
                throw invalid(key, "has the host '" + host + "'; write host:port pairs separated by commas, e.g. "
                        + "10.0.0.5:" + defaultPort + ",[::1]:" + defaultPort);
            }
            int n;
            try {
                n = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1 || n > 65535) {
                throw invalid(key, "has the port '" + port + "' for " + host + "; ports are 1-65535");
            }
            String unbracketed = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
            addresses.add(InetSocketAddress.createUnresolved(unbracketed, n));
        }
        return List.copyOf(addresses);
    }

    /** A comma-separated list, each item stripped, blank ones left out; empty if the key is not set. */
    public List<String> list(String key) {
        List<String> items = new ArrayList<>();
        for (String item : string(key, "").split(",")) {
            if (!item.isBlank()) {
                items.add(item.strip());
            }
        }
        return List.copyOf(items);
    }

    public int integer(String key, int defaultValue) {
        Optional<String> raw = string(key);
        if (raw.isEmpty() || raw.get().isEmpty()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(raw.get());
        } catch (NumberFormatException e) {
            throw invalid(key, "is not a whole number");
        }
    }

    /**
     * {@code true} or {@code false}, or as oslo files also write them {@code yes/no}, {@code on/off} or
     * {@code 1/0}; in any case.
     */
    public boolean flag(String key, boolean defaultValue) {
        Optional<String> raw = string(key);
        if (raw.isEmpty() || raw.get().isEmpty()) {
            return defaultValue;
        }
        return switch (raw.get().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw invalid(key, "is not true or false");
        };
    }

    /** {@link #ZONE} parsed, or {@link Zone#LOCAL}. */
    public Zone zone() {
        Optional<String> raw = string(ZONE);
        if (raw.isEmpty() || raw.get().isEmpty()) {
            return Zone.LOCAL;
        }
        try {
            return Zone.of(raw.get());
        } catch (IllegalArgumentException e) {
            throw invalid(ZONE, "is not a zone path: " + e.getMessage());
        }
    }

    /** {@link #STORE}, lower case, or {@value #DEFAULT_STORE}. */
    public String storeName() {
        String name = string(STORE, "");
        return name.isEmpty() ? DEFAULT_STORE : name.toLowerCase(Locale.ROOT);
    }

    /**
     * An {@link IllegalArgumentException} for a bad value of {@code key}, naming where it came from; the value is
     * quoted unless the key looks secret. Stores use it for their own keys.
     */
    public IllegalArgumentException invalid(String key, String problem) {
        String where = sourceOf(key);
        String value = string(key).orElse("");
        String shown = SECRET.matcher(key).matches() ? "" : " '" + value + "'";
        return new IllegalArgumentException(key + shown + " (from " + where + ") " + problem);
    }

    /**
     * Where {@code key}'s value comes from, e.g. {@code environment HOTLINE_ZONE} or
     * {@code file /etc/nova/nova.conf [http_driver] http_token}.
     */
    public String sourceOf(String key) {
        for (Source s : sources) {
            if (s.lookup.apply(key) != null) {
                return s.origin.apply(key);
            }
        }
        return "default";
    }

    private static Source fileSource(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw unreadable(file, "it does not exist", e);
        } catch (IOException e) {
            throw unreadable(file, e.toString(), e);
        }
        if (IniFile.isIni(file, text)) {
            IniFile ini = IniFile.parse(file, text);
            return new Source("file " + file, ini::value, ini::origin);
        }
        Properties props = new Properties();
        try {
            props.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            throw unreadable(file, e.toString(), e);
        }
        Map<String, String> values = new HashMap<>();
        props.stringPropertyNames().forEach(k -> values.put(k, props.getProperty(k)));
        return new Source("file " + file, values::get);
    }

    static IllegalArgumentException unreadable(Path file, String problem, Throwable cause) {
        return new IllegalArgumentException("cannot read Hotline configuration file " + file + ": " + problem, cause);
    }

    @Override
    public String toString() {
        return "HotlineConfig" + sources.stream().map(Source::description).toList();
    }
}

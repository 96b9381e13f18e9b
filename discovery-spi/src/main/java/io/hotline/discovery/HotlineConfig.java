package io.hotline.discovery;

import java.io.IOException;
import java.io.Reader;
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
 * environment ({@code hotline.file.poll-interval} is {@code HOTLINE_FILE_POLL_INTERVAL}) and a properties file
 * named by {@code hotline.config} / {@code HOTLINE_CONFIG}. Immutable.
 *
 * <pre>{@code
 * HotlineConfig config = HotlineConfig.load();
 * Duration poll = config.duration("hotline.file.poll-interval", Duration.ofSeconds(1));
 * HotlineConfig test = HotlineConfig.of(Map.of("hotline.store", "memory")).with("hotline.zone", "az-1");
 * }</pre>
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
    /** A properties file to read further keys from. */
    public static final String CONFIG_FILE = "hotline.config";
    public static final String DEFAULT_STORE = "file";

    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)?");
    private static final Pattern SECRET = Pattern.compile("(?i).*(token|password|secret|key).*");

    private record Source(String description, Function<String, String> lookup) {}

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
        sources.add(new Source("environment", key -> env.get(envName(key))));
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

    /** Exactly these values, nothing from the environment. */
    public static HotlineConfig of(Map<String, String> values) {
        Map<String, String> copy = Map.copyOf(values);
        return new HotlineConfig(List.of(new Source("given configuration", copy::get)));
    }

    /**
     * The keys of one properties file.
     *
     * @throws IllegalArgumentException if it cannot be read
     */
    public static HotlineConfig fromFile(Path file) {
        return new HotlineConfig(List.of(fileSource(file)));
    }

    /** This configuration with {@code key} set to {@code value}, which takes precedence over every source. */
    public HotlineConfig with(String key, String value) {
        List<Source> sources = new ArrayList<>();
        sources.add(new Source("override", k -> k.equals(key) ? value : null));
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

    public boolean flag(String key, boolean defaultValue) {
        Optional<String> raw = string(key);
        if (raw.isEmpty() || raw.get().isEmpty()) {
            return defaultValue;
        }
        return Capabilities.parseFlag(raw.get()).orElseThrow(() -> invalid(key, "is not true or false"));
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

    /** Where {@code key}'s value comes from, e.g. {@code environment HOTLINE_ZONE}. */
    public String sourceOf(String key) {
        for (Source s : sources) {
            if (s.lookup.apply(key) != null) {
                return "environment".equals(s.description) ? "environment " + envName(key) : s.description;
            }
        }
        return "default";
    }

    private static Source fileSource(Path file) {
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(r);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("cannot read Hotline configuration file " + file + ": it does not exist", e);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot read Hotline configuration file " + file + ": " + e, e);
        }
        Map<String, String> values = new HashMap<>();
        props.stringPropertyNames().forEach(k -> values.put(k, props.getProperty(k)));
        return new Source("file " + file, values::get);
    }

    @Override
    public String toString() {
        return "HotlineConfig" + sources.stream().map(Source::description).toList();
    }
}

package io.hotline.discovery;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;

/**
 * Typed reads of an endpoint's metadata, as the Nova zones design uses capabilities for routing.
 *
 * <pre>{@code
 * Capabilities caps = endpoint.capabilities();
 * caps.number("free_disk_gb").orElse(BigDecimal.ZERO);
 * caps.flag("accept_migrations").orElse(false);
 * }</pre>
 */
public final class Capabilities {

    private final Map<String, String> values;

    Capabilities(Map<String, String> values) {
        this.values = values;
    }

    /** The raw value, if present. */
    public Optional<String> text(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /** The value as a number, if present and numeric ({@code 100}, {@code -2.5}, {@code 1e3}). */
    public Optional<BigDecimal> number(String key) {
        return text(key).flatMap(Capabilities::parseNumber);
    }

    /** The value as a boolean, if present and {@code true} or {@code false} (any case). */
    public Optional<Boolean> flag(String key) {
        return text(key).flatMap(Capabilities::parseFlag);
    }

    static Optional<BigDecimal> parseNumber(String s) {
        if (s.isEmpty() || s.length() > 64) {
            return Optional.empty();
        }
        char c = s.charAt(0);
        if (!(Character.isDigit(c) || c == '-' || c == '+' || c == '.')) {
            return Optional.empty();
        }
        try {
            return Optional.of(new BigDecimal(s));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    static Optional<Boolean> parseFlag(String s) {
        if ("true".equalsIgnoreCase(s)) {
            return Optional.of(Boolean.TRUE);
        }
        if ("false".equalsIgnoreCase(s)) {
            return Optional.of(Boolean.FALSE);
        }
        return Optional.empty();
    }
}

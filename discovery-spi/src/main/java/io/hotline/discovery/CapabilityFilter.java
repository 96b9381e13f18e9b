package io.hotline.discovery;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Requirements on an endpoint's capabilities, all of which must hold.
 *
 * <pre>{@code
 * CapabilityFilter f = CapabilityFilter.parse("free_disk_gb>=100, hypervisor==kvm, accept_migrations==true");
 * f.test(endpoint);
 * }</pre>
 *
 * <p>Operators: {@code == != >= <= > <}. When the expected value is a number, the endpoint's value is compared
 * as a number ({@code 100 == 100.0}, {@code 9 < 10}); {@code true}/{@code false} compare as booleans in any
 * case; anything else compares as exact text. Ordering operators need a number. An endpoint that lacks the
 * key, or whose value has the wrong type, does not match, for every operator.
 */
public final class CapabilityFilter {

    /** Matches every endpoint. */
    public static final CapabilityFilter NONE = new CapabilityFilter(List.of());

    private static final Pattern CLAUSE = Pattern.compile("\\s*([A-Za-z0-9][A-Za-z0-9._-]*)\\s*(==|!=|>=|<=|>|<)\\s*(\\S(?:.*\\S)?)\\s*");

    private final List<Requirement> requirements;

    private CapabilityFilter(List<Requirement> requirements) {
        this.requirements = List.copyOf(requirements);
    }

    /**
     * Parses comma-separated requirements.
     *
     * @throws IllegalArgumentException naming the clause that is not {@code key OP value}, or an ordering
     *     operator used with a value that is not a number
     */
    public static CapabilityFilter parse(String expression) {
        if (expression == null || expression.isBlank()) {
            return NONE;
        }
        List<Requirement> out = new ArrayList<>();
        for (String clause : expression.split(",", -1)) {
            Matcher m = CLAUSE.matcher(clause);
            if (!m.matches()) {
                throw new IllegalArgumentException("capability requirement '" + clause.strip() + "' in '" + expression
                        + "' is not 'key OP value' with OP one of == != >= <= > < (example: free_disk_gb>=100)");
            }
            out.add(Requirement.of(m.group(1), Operator.of(m.group(2)), m.group(3)));
        }
        return new CapabilityFilter(out);
    }

    /** The requirements, in the order written. */
    public List<Requirement> requirements() {
        return requirements;
    }

    public boolean isEmpty() {
        return requirements.isEmpty();
    }

    /** True if the endpoint meets every requirement. */
    public boolean test(Endpoint endpoint) {
        for (Requirement r : requirements) {
            if (!r.test(endpoint.metadata())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CapabilityFilter f && f.requirements.equals(requirements);
    }

    @Override
    public int hashCode() {
        return requirements.hashCode();
    }

    @Override
    public String toString() {
        return requirements.stream().map(Requirement::toString).collect(Collectors.joining(", "));
    }

    /** A comparison operator. */
    public enum Operator {
        EQ("=="), NE("!="), GE(">="), LE("<="), GT(">"), LT("<");

        private final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }

        static Operator of(String symbol) {
            for (Operator o : values()) {
                if (o.symbol.equals(symbol)) {
                    return o;
                }
            }
            throw new IllegalArgumentException("unknown operator " + symbol);
        }

        boolean isOrdering() {
            return this != EQ && this != NE;
        }

        boolean holds(int comparison) {
            return switch (this) {
                case EQ -> comparison == 0;
                case NE -> comparison != 0;
                case GE -> comparison >= 0;
                case LE -> comparison <= 0;
                case GT -> comparison > 0;
                case LT -> comparison < 0;
            };
        }

        public String symbol() {
            return symbol;
        }
    }

    /**
     * One {@code key OP value} clause; {@code value} is kept as written, its type decided once at parse time.
     */
    public record Requirement(String key, Operator operator, String value) {

        static Requirement of(String key, Operator operator, String value) {
            if (operator.isOrdering() && Capabilities.parseNumber(value).isEmpty()) {
                throw new IllegalArgumentException("capability requirement '" + key + operator.symbol() + value
                        + "' orders by a value that is not a number; use == or != for text and booleans");
            }
            return new Requirement(key, operator, value);
        }

        boolean test(Map<String, String> metadata) {
            String actual = metadata.get(key);
            if (actual == null) {
                return false;
            }
            Optional<BigDecimal> expectedNumber = Capabilities.parseNumber(value);
            if (expectedNumber.isPresent()) {
                Optional<BigDecimal> actualNumber = Capabilities.parseNumber(actual);
                return actualNumber.isPresent() && operator.holds(actualNumber.get().compareTo(expectedNumber.get()));
            }
            Optional<Boolean> expectedFlag = Capabilities.parseFlag(value);
            if (expectedFlag.isPresent()) {
                Optional<Boolean> actualFlag = Capabilities.parseFlag(actual);
                return actualFlag.isPresent() && operator.holds(actualFlag.get().equals(expectedFlag.get()) ? 0 : 1);
            }
            return operator.holds(actual.equals(value) ? 0 : 1);
        }

        @Override
        public String toString() {
            return key + operator.symbol() + value;
        }
    }
}

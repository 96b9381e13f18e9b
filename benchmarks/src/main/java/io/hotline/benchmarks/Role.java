package io.hotline.benchmarks;

import io.hotline.discovery.Untrusted;
import java.util.Arrays;
import java.util.Iterator;
import picocli.CommandLine;

/**
 * The contenders of the RPC comparison, each by the name {@code --only} takes; started, run and reported in this order.
 *
 * <pre>{@code
 * Role.of("jetty-blocking");   // JETTY_BLOCKING
 * }</pre>
 */
enum Role {
    HOTLINE("hotline", true),
    RABBITMQ("rabbitmq", true),
    GRPC("grpc", false),
    JETTY("jetty", false),
    GRPC_POOLED("grpc-pooled", false),
    HOTLINE_H2C("hotline-h2c", true),
    JETTY_H2C("jetty-h2c", false),
    HOTLINE_NONBLOCKING("hotline-nonblocking", false),
    HOTLINE_H2C_NONBLOCKING("hotline-h2c-nonblocking", true),
    JETTY_BLOCKING("jetty-blocking", false),
    JETTY_BLOCKING_OSLO("jetty-blocking-oslo", false),
    JETTY_H2C_BLOCKING("jetty-h2c-blocking", false),
    JETTY_H2C_HANDOFF("jetty-h2c-handoff", false);

    private final String id;
    private final boolean casts;

    Role(String id, boolean casts) {
        this.id = id;
        this.casts = casts;
    }

    /** The name {@code --only} takes. */
    String id() {
        return id;
    }

    /** Whether its casts are measured too. */
    boolean casts() {
        return casts;
    }

    /** @throws IllegalArgumentException naming the contenders there are, if {@code id} is none of them */
    static Role of(String id) {
        for (Role role : values()) {
            if (role.id.equals(id)) {
                return role;
            }
        }
        throw new IllegalArgumentException("'" + Untrusted.excerpt(id) + "' is not a contender; choose from "
                + String.join(", ", new Ids()));
    }

    /** {@code --only}'s values: a contender by its name. */
    static final class Converter implements CommandLine.ITypeConverter<Role> {
        @Override
        public Role convert(String value) {
            try {
                return of(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Every contender's name, for {@code --only}'s help. */
    static final class Ids implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(values()).map(Role::id).iterator();
        }
    }
}

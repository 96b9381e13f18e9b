package io.hotline.rpc.server;

import java.lang.reflect.Method;
import java.util.Set;

/**
 * Which public methods of an endpoint object remote callers may invoke.
 *
 * <pre>{@code
 * RpcServer.builder(store).accessPolicy(AccessPolicy.only(Set.of("ping", "build_instances")))...
 * }</pre>
 */
@FunctionalInterface
public interface AccessPolicy {

    /** oslo's default: every public method whose name does not start with {@code _}. */
    AccessPolicy DEFAULT = m -> !m.getName().startsWith("_");

    /** Exactly the named methods (never one starting with {@code _}). */
    static AccessPolicy only(Set<String> names) {
        Set<String> copy = Set.copyOf(names);
        return m -> DEFAULT.allows(m) && copy.contains(m.getName());
    }

    boolean allows(Method method);
}

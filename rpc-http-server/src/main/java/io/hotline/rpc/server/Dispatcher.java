package io.hotline.rpc.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import io.hotline.discovery.Untrusted;
import io.hotline.rpc.InvalidRequest;
import io.hotline.rpc.NoSuchMethod;
import io.hotline.rpc.UnsupportedVersion;
import io.hotline.rpc.internal.wire.Version;
import io.hotline.rpc.internal.wire.Wire;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * oslo's dispatch: the first endpoint whose namespace matches and whose version serves the request (same major,
 * minor not higher) and that has the method runs it. Methods are looked up once, at construction.
 */
final class Dispatcher {

    /** One endpoint object with its namespace (null = default) and version. */
    record Endpoint(String namespace, Version version, Object implementation) {
        Endpoint {
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(implementation, "implementation");
        }
    }

    private record Bound(Endpoint endpoint, Map<String, Invoker> methods) {}

    private final List<Bound> endpoints = new ArrayList<>();

    /** @throws IllegalArgumentException if an endpoint has overloaded callable methods or unnamed parameters */
    Dispatcher(List<Endpoint> endpoints, AccessPolicy policy) {
        for (Endpoint e : endpoints) {
            Map<String, Invoker> methods = new HashMap<>();
            for (Method m : e.implementation().getClass().getMethods()) {
                if (m.getDeclaringClass() == Object.class || Modifier.isStatic(m.getModifiers()) || !policy.allows(m)) {
                    continue;
                }
                if (methods.containsKey(m.getName())) {
                    throw new IllegalArgumentException("endpoint " + e.implementation().getClass().getName()
                            + " has several methods named " + m.getName()
                            + "; RPC methods are called by name, so give each a name of its own");
                }
                methods.put(m.getName(), new Invoker(e.implementation(), m));
            }
            this.endpoints.add(new Bound(e, Map.copyOf(methods)));
        }
    }

    /**
     * The method that runs a request for {@code method}: the first compatible endpoint's.
     *
     * @throws NoSuchMethod if compatible endpoints exist but none has the method
     * @throws UnsupportedVersion if no endpoint of the namespace serves the version
     */
    Invoker find(String method, String namespace, Version version) {
        boolean compatible = false;
        for (Bound b : endpoints) {
            if (!Objects.equals(b.endpoint.namespace(), namespace) || !b.endpoint.version().serves(version)) {
                continue;
            }
            compatible = true;
            Invoker invoker = b.methods.get(method);
            if (invoker != null) {
                return invoker;
            }
        }
        String where = (namespace == null ? "the default namespace" : "namespace " + Untrusted.excerpt(namespace));
        if (compatible) {
            throw new NoSuchMethod("no endpoint in " + where + " serving version " + version + " has a method "
                    + Untrusted.excerpt(method));
        }
        throw new UnsupportedVersion("no endpoint in " + where + " serves version " + version + "; served: "
                + endpoints.stream().filter(b -> Objects.equals(b.endpoint.namespace(), namespace))
                        .map(b -> b.endpoint.version().toString()).toList());
    }

    /**
     * The frames of what an endpoint method threw that are its own: those above the reflective call that ran it. What
     * lies below (reflection, this class, the RPC server, Jetty) is the server's plumbing, of no use to the caller.
     */
    static List<StackTraceElement> methodFrames(Throwable thrown) {
        StackTraceElement[] frames = thrown.getStackTrace();
        int end = frames.length;
        for (int i = 0; i < frames.length; i++) {
            if (frames[i].getClassName().equals(Invoker.class.getName())) {
                end = i;
                break;
            }
        }
        if (end < frames.length) {
            while (end > 0 && isReflection(frames[end - 1].getClassName())) {
                end--;
            }
        }
        return List.of(frames).subList(0, end);
    }

    private static boolean isReflection(String className) {
        return className.startsWith("jdk.internal.reflect.") || className.startsWith("java.lang.reflect.")
                || className.startsWith("java.lang.invoke.");
    }

    /** One callable method, ready to run: arguments by parameter name, converted by Jackson to the parameter types. */
    static final class Invoker {
        private final Object target;
        private final Method method;
        private final String[] names;
        private final JavaType[] types;
        /** The names callers give arguments by, in order: every parameter's but the {@link RpcContext}'s. */
        private final List<String> arguments;
        private final boolean nonBlocking;

        Invoker(Object target, Method method) {
            this.target = target;
            this.method = method;
            this.nonBlocking = method.isAnnotationPresent(NonBlocking.class)
                    || target.getClass().isAnnotationPresent(NonBlocking.class);
            Parameter[] params = method.getParameters();
            this.names = new String[params.length];
            this.types = new JavaType[params.length];
            List<String> arguments = new ArrayList<>();
            for (int i = 0; i < params.length; i++) {
                if (params[i].getType() != RpcContext.class && !params[i].isNamePresent()) {
                    throw new IllegalArgumentException("parameter names of " + method
                            + " are not in the class file; compile endpoint classes with javac -parameters,"
                            + " because callers pass arguments by name");
                }
                names[i] = params[i].getName();
                types[i] = Wire.MAPPER.getTypeFactory().constructType(params[i].getParameterizedType());
                if (params[i].getType() != RpcContext.class) {
                    arguments.add(names[i]);
                }
            }
            this.arguments = List.copyOf(arguments);
            method.setAccessible(true);
        }

        /** Whether the method is declared {@link NonBlocking}, so that a call may run on an I/O thread. */
        boolean nonBlocking() {
            return nonBlocking;
        }

        /**
         * Runs the method with these arguments.
         *
         * @throws InvalidRequest if the arguments do not fit the method
         * @throws InvocationTargetException with what the method threw
         */
        Object invoke(JsonNode args, RpcContext context) throws InvocationTargetException {
            Object[] values = new Object[names.length];
            int used = 0;
            for (int i = 0; i < names.length; i++) {
                if (types[i].getRawClass() == RpcContext.class) {
                    values[i] = context;
                    continue;
                }
                JsonNode node = args == null ? null : args.get(names[i]);
                if (node == null) {
                    throw new InvalidRequest(signature() + " needs argument '" + names[i] + "'");
                }
                used++;
                try {
                    values[i] = Wire.MAPPER.treeToValue(node, types[i]);
                } catch (JsonProcessingException e) {
                    // Jackson's message names its own classes and features; the parameter's type says enough.
                    throw new InvalidRequest("argument '" + names[i] + "' of " + signature() + " must be "
                            + types[i].toCanonical() + ", not " + Untrusted.excerpt(node));
                }
            }
            if (args != null && args.size() > used) {
                for (Iterator<String> it = args.fieldNames(); it.hasNext(); ) {
                    String name = it.next();
                    if (!arguments.contains(name)) {
                        throw new InvalidRequest(signature() + " takes no argument '" + Untrusted.excerpt(name)
                                + "'");
                    }
                }
            }
            try {
                return method.invoke(target, values);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot call " + method, e);
            }
        }

        private String signature() {
            return method.getName() + "(" + String.join(", ", arguments) + ")";
        }
    }
}

package io.hotline.rpc.server;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares that an endpoint method (or every method of an endpoint class) returns quickly without ever waiting: no
 * I/O, no lock held by slow code, no call to another server, no sleep. Such a call runs on the thread that read its
 * request, which may be one of Jetty's I/O threads, instead of being handed to a request thread: the cheapest a call
 * gets, as gRPC's {@code directExecutor} and Quarkus' {@code @NonBlocking} allow. Every other call runs on a request
 * thread, so a method that may block is always safe.
 *
 * <p>A method declared non-blocking that does wait stalls every connection its I/O thread serves until it returns;
 * declare only methods that compute from memory, such as a lookup in a map or a status answer.
 *
 * <pre>{@code
 * public final class SchedulerEndpoint {
 *     @NonBlocking
 *     public int capacity(String host) { return capacities.getOrDefault(host, 0); }  // a map lookup: inline
 *
 *     public List<String> selectDestinations(Map<String, Object> spec) { ... }    // may wait: a request thread
 * }
 * }</pre>
 *
 * <p>A cast to such a method runs on the thread that read it too, right after its 202 was written, instead of waking a
 * cast thread for it; a cast to any other method is queued for the cast threads, as ever.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface NonBlocking {}

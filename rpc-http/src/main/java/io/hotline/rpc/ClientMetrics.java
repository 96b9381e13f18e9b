package io.hotline.rpc;

import io.hotline.rpc.internal.metrics.RpcBuckets;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A client's meters: {@code hotline.rpc.client.requests}, a timer of calls, casts and fanouts by service, kind, method
 * and outcome ({@code ok}, or the error's type: {@code MessagingTimeout}, {@code ServerBusy}, {@code RemoteError},
 * {@code NoEndpointException}, ...), with the histogram buckets of {@link RpcBuckets#DURATIONS}; and {@code
 * hotline.rpc.client.retries}, tries after the first by service and kind. Methods are the caller's own names, so
 * they are bounded by its code.
 */
final class ClientMetrics {

    private final MeterRegistry registry;
    // Looked up once per combination: building a meter's id on every call costs more than the lookup.
    private final Map<List<String>, Timer> requests = new ConcurrentHashMap<>();
    private final Map<List<String>, Counter> retries = new ConcurrentHashMap<>();

    ClientMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** One call, cast or fanout that ended, {@code failure} null when it succeeded. */
    void record(String kind, String service, String method, long startNanos, Throwable failure) {
        requests.computeIfAbsent(List.of(kind, service, method, outcome(failure)), k ->
                Timer.builder("hotline.rpc.client.requests")
                        .description("calls, casts and fanouts this client made, by outcome, from the call to its end")
                        .tags("kind", k.get(0), "service", k.get(1), "method", k.get(2), "outcome", k.get(3))
                        .serviceLevelObjectives(RpcBuckets.DURATIONS)
                        .register(registry))
                .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    /** One more try of a message: another server, or the same after its Retry-After. */
    void retried(String kind, String service) {
        retries.computeIfAbsent(List.of(kind, service), k -> Counter.builder("hotline.rpc.client.retries")
                        .description("tries after the first, to another server or after a busy server's Retry-After")
                        .tags("kind", k.get(0), "service", k.get(1))
                        .register(registry))
                .increment();
    }

    /** {@code ok}, or the type of the error the call, cast or fanout ended with. */
    static String outcome(Throwable failure) {
        if (failure == null) {
            return "ok";
        }
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName();
    }
}

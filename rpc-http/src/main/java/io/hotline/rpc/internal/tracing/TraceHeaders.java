package io.hotline.rpc.internal.tracing;

import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The trace context headers a request carries ({@code traceparent} and, if any, {@code tracestate}), as the
 * propagator wrote them; {@link #NONE} when there is no trace. Immutable, so one value serves every request of a
 * fanout.
 *
 * <pre>{@code
 * span.headers().forEach(request::header);
 * }</pre>
 *
 * @param values header name to value
 */
public record TraceHeaders(Map<String, String> values) {

    public static final TraceHeaders NONE = new TraceHeaders(Map.of());

    public TraceHeaders {
        values = Map.copyOf(values);
    }

    /** Gives each header to {@code header}, e.g. a request's {@code header(name, value)}. */
    public void forEach(BiConsumer<String, String> header) {
        values.forEach(header);
    }
}

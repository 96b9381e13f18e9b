package io.hotline.rpc.internal.tracing;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@link Tracing} through the OpenTelemetry API: the global {@link OpenTelemetry} (what the application registered
 * with its SDK, or the agent; a no-op otherwise, so nothing is recorded or sent) and its propagators (W3C trace
 * context by default). Loaded only when the API is on the class path.
 */
final class OpenTelemetryTracing implements Tracing {

    private static final String INSTRUMENTATION = "io.hotline.rpc";

    private static final TextMapSetter<Map<String, String>> SETTER = (carrier, key, value) -> carrier.put(key, value);

    private static final TextMapGetter<Function<String, String>> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Function<String, String> carrier) {
            return List.of("traceparent", "tracestate", "baggage");
        }

        @Override
        public String get(Function<String, String> carrier, String key) {
            return carrier == null ? null : carrier.apply(key);
        }
    };

    @Override
    public Tracing.Span client(String name) {
        OpenTelemetry otel = GlobalOpenTelemetry.get();
        io.opentelemetry.api.trace.Span span = otel.getTracer(INSTRUMENTATION).spanBuilder(name)
                .setSpanKind(SpanKind.CLIENT).startSpan();
        return new OtelSpan(otel, span, Context.current().with(span));
    }

    @Override
    public Tracing.Span server(String name, Function<String, String> headers) {
        OpenTelemetry otel = GlobalOpenTelemetry.get();
        Context parent = otel.getPropagators().getTextMapPropagator().extract(Context.root(), headers, GETTER);
        io.opentelemetry.api.trace.Span span = otel.getTracer(INSTRUMENTATION).spanBuilder(name).setParent(parent)
                .setSpanKind(SpanKind.SERVER).startSpan();
        return new OtelSpan(otel, span, parent.with(span));
    }

    private record OtelSpan(OpenTelemetry otel, io.opentelemetry.api.trace.Span span, Context context)
            implements Tracing.Span {

        @Override
        public TraceHeaders headers() {
            if (!span.getSpanContext().isValid()) {
                return TraceHeaders.NONE;
            }
            Map<String, String> headers = new HashMap<>();
            otel.getPropagators().getTextMapPropagator().inject(context, headers, SETTER);
            return headers.isEmpty() ? TraceHeaders.NONE : new TraceHeaders(headers);
        }

        @Override
        public Scope makeCurrent() {
            io.opentelemetry.context.Scope scope = context.makeCurrent();
            return scope::close;
        }

        @Override
        public Runnable wrap(Runnable work) {
            return context.wrap(work);
        }

        @Override
        public void end(String error) {
            if (error != null) {
                span.setStatus(StatusCode.ERROR, error);
            }
            span.end();
        }
    }
}

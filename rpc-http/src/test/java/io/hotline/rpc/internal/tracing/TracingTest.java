package io.hotline.rpc.internal.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Spans and W3C headers through the OpenTelemetry API: nothing without an SDK, a parent and child with one. */
class TracingTest {

    @AfterEach
    void reset() {
        GlobalOpenTelemetry.resetForTest();
    }

    @Test
    void withTheApiButNoSdkNothingIsSentOrRecorded() {
        GlobalOpenTelemetry.resetForTest();
        Tracing.Span span = Tracing.get().client("conductor/ping");
        assertThat(span.headers()).isEqualTo(TraceHeaders.NONE);
        // A request that arrives with a trace is served, and nothing goes on from here either.
        Tracing.Span served = Tracing.get().server("conductor/ping",
                name -> name.equals("traceparent") ? "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" : null);
        assertThat(served.headers()).isEqualTo(TraceHeaders.NONE);
        span.end(null);
        served.end("MessagingTimeout");
    }

    @Test
    void aServerSpanIsTheChildOfTheClientSpanWhoseHeadersItGot() {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        try (OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter))
                        .build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .buildAndRegisterGlobal()) {
            Tracing.Span client = Tracing.get().client("conductor/ping");
            TraceHeaders headers = client.headers();
            assertThat(headers.values()).containsOnlyKeys("traceparent");
            assertThat(headers.values().get("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

            Tracing.Span server = Tracing.get().server("conductor/ping", headers.values()::get);
            AtomicReference<String> seen = new AtomicReference<>();
            server.wrap(() -> seen.set(Span.current().getSpanContext().getTraceId())).run();
            server.end("NoSuchMethod");
            client.end(null);

            SpanData clientSpan = exporter.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.CLIENT)
                    .findFirst().orElseThrow();
            SpanData serverSpan = exporter.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.SERVER)
                    .findFirst().orElseThrow();
            assertThat(serverSpan.getTraceId()).isEqualTo(clientSpan.getTraceId()).isEqualTo(seen.get());
            assertThat(serverSpan.getParentSpanId()).isEqualTo(clientSpan.getSpanId());
            assertThat(serverSpan.getStatus().getDescription()).isEqualTo("NoSuchMethod");
        }
    }
}

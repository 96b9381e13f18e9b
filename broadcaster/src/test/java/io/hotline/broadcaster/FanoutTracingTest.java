package io.hotline.broadcaster;

import static io.hotline.broadcaster.Fleet.AZ1;
import static io.hotline.broadcaster.Fleet.FANOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hotline.rpc.FanoutReport;
import io.hotline.rpc.RpcClient;
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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One trace across a client, a broadcaster and two servers, with an OpenTelemetry SDK registered as the application
 * would: W3C trace context goes with the fanout to the broadcaster and with each cast to each server, and the cast
 * runs with its server span current, so what the method does joins the trace.
 */
class FanoutTracingTest {

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private OpenTelemetrySdk sdk;
    private Fleet fleet;

    /** A server's endpoint that notes the trace each cast runs in. */
    public static final class TracedRecorder extends Recorder {
        final List<String> traces = new CopyOnWriteArrayList<>();

        @Override
        public void record(String event) {
            super.record(event);
            traces.add(Span.current().getSpanContext().getTraceId());
        }
    }

    @BeforeEach
    void registerAnSdk() {
        GlobalOpenTelemetry.resetForTest();
        sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter))
                        .build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .buildAndRegisterGlobal();
        fleet = Fleet.inMemory();
    }

    @AfterEach
    void close() throws Exception {
        fleet.close();
        sdk.close();
        GlobalOpenTelemetry.resetForTest();
    }

    @Test
    void oneTraceAcrossClientBroadcasterAndTwoServers() {
        TracedRecorder one = new TracedRecorder();
        TracedRecorder two = new TracedRecorder();
        fleet.track(fleet.serverBuilder("host-1", AZ1, one).start());
        fleet.track(fleet.serverBuilder("host-2", AZ1, two).start());
        fleet.broadcaster();
        RpcClient client = fleet.client();

        FanoutReport report = client.prepare(FANOUT).fanoutWithReport("record", Map.of("event", "traced"));
        assertThat(report.delivered()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> one.traces.size() == 1 && two.traces.size() == 1
                && exporter.getFinishedSpanItems().size() >= 4);

        List<SpanData> spans = exporter.getFinishedSpanItems();
        SpanData fanoutCall = single(spans, SpanKind.CLIENT, FANOUT.service() + "/record");
        SpanData broadcast = single(spans, SpanKind.SERVER, FANOUT.service() + "/fanout");
        List<SpanData> casts = spans.stream().filter(s -> s.getKind() == SpanKind.SERVER
                && s.getName().equals(FANOUT.service() + "/record")).toList();
        String trace = fanoutCall.getTraceId();
        assertThat(broadcast.getTraceId()).isEqualTo(trace);
        assertThat(broadcast.getParentSpanId()).isEqualTo(fanoutCall.getSpanId());
        assertThat(casts).hasSize(2).allSatisfy(cast -> {
            assertThat(cast.getTraceId()).isEqualTo(trace);
            assertThat(cast.getParentSpanId()).isEqualTo(broadcast.getSpanId());
        });
        assertThat(one.traces).containsExactly(trace);
        assertThat(two.traces).containsExactly(trace);
    }

    private static SpanData single(List<SpanData> spans, SpanKind kind, String name) {
        List<SpanData> found = spans.stream().filter(s -> s.getKind() == kind && s.getName().equals(name)).toList();
        assertThat(found).as(kind + " " + name + " in " + spans).hasSize(1);
        return found.get(0);
    }
}

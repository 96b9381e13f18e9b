package io.hotline.rpc.internal.tracing;

/** Whether the OpenTelemetry API is on the class path, checked once: the optional dependency is loaded only then. */
final class OpenTelemetryPresence {

    static final Tracing TRACING = present() ? new OpenTelemetryTracing() : Tracing.NONE;

    private OpenTelemetryPresence() {}

    private static boolean present() {
        try {
            Class.forName("io.opentelemetry.api.GlobalOpenTelemetry", false,
                    OpenTelemetryPresence.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}

package io.hotline.rpc.internal.tracing;

import java.util.function.Function;

/**
 * Spans for Hotline's requests. {@link #get()} is OpenTelemetry's when its API is on the class path, else {@link
 * #NONE}, whose spans do nothing and carry no headers.
 *
 * <pre>{@code
 * Tracing.Span span = Tracing.get().client("conductor/select_destinations");
 * span.headers().forEach(request::header);           // to every try of the request
 * ... span.end(error);                                 // the error's type, or null when it succeeded
 *
 * Tracing.Span served = Tracing.get().server("conductor/select_destinations", request.getHeaders()::get);
 * try (Tracing.Scope scope = served.makeCurrent()) { ... } finally { served.end(null); }
 * }</pre>
 */
public interface Tracing {

    /** Spans that record nothing and send no headers. */
    Tracing NONE = new Tracing() {
        @Override
        public Span client(String name) {
            return Span.NONE;
        }

        @Override
        public Span server(String name, Function<String, String> headers) {
            return Span.NONE;
        }
    };

    /** OpenTelemetry's tracing when its API is on the class path, else {@link #NONE}. */
    static Tracing get() {
        return OpenTelemetryPresence.TRACING;
    }

    /** A span for a request this process sends, a child of the current context (the caller's span, if any). */
    Span client(String name);

    /** A span for a request this process received, a child of the trace its headers carry (or a new trace). */
    Span server(String name, Function<String, String> headers);

    /** Closes what {@link Span#makeCurrent()} opened. */
    interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** One span. */
    interface Span {

        Span NONE = new Span() {
            @Override
            public TraceHeaders headers() {
                return TraceHeaders.NONE;
            }

            @Override
            public Scope makeCurrent() {
                return () -> { };
            }

            @Override
            public Runnable wrap(Runnable work) {
                return work;
            }

            @Override
            public void end(String error) {
                // Nothing was started.
            }
        };

        /** The headers that make a request this span's child. */
        TraceHeaders headers();

        /** Makes this span the current one on this thread until the scope closes. */
        Scope makeCurrent();

        /** {@code work} running with this span current, wherever and whenever it runs (a cast, later). */
        Runnable wrap(Runnable work);

        /** Ends the span, marked as an error of this type (e.g. {@code MessagingTimeout}) unless null. */
        void end(String error);
    }
}

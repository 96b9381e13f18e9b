package io.hotline.rpc.server;

import io.hotline.discovery.Untrusted;
import io.hotline.rpc.InvalidRequest;
import io.hotline.rpc.NoSuchMethod;
import io.hotline.rpc.RpcException;
import io.hotline.rpc.UnsupportedVersion;
import io.hotline.rpc.internal.tracing.Tracing;
import io.hotline.rpc.internal.wire.Reply;
import io.hotline.rpc.internal.wire.StrictJson;
import io.hotline.rpc.internal.wire.Version;
import io.hotline.rpc.internal.wire.Wire;
import io.hotline.rpc.internal.wire.Wire.Request;
import io.hotline.rpc.internal.wire.WireError;
import java.lang.reflect.InvocationTargetException;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/rpc/{service}} without the HTTP: a request body in, a status and body out. The Jetty handler in
 * front of it does the HTTP; keeping the two apart keeps this testable and the hot path free of a web framework.
 */
final class RpcProcessor {

    private static final Logger log = LoggerFactory.getLogger(RpcProcessor.class);
    private static final int MAX_TRACE = 50;
    private static final int MAX_CAUSES = 10;

    /** A reply and how {@link ServerMetrics} counts it. */
    private record Outcome(Reply reply, String kind, String method, String type) {
        static Outcome refused(WireError error, String message) {
            return new Outcome(Reply.error(error, message), "-", ServerMetrics.UNKNOWN_METHOD, error.type());
        }
    }

    private final String service;
    private final Dispatcher dispatcher;
    private final CastQueue casts;
    private final Semaphore callSlots;
    private final ServerMetrics metrics;
    private final Set<String> running = ConcurrentHashMap.newKeySet();

    RpcProcessor(String service, Dispatcher dispatcher, CastQueue casts, Semaphore callSlots,
            ServerMetrics metrics) {
        this.service = service;
        this.dispatcher = dispatcher;
        this.casts = casts;
        this.callSlots = callSlots;
        this.metrics = metrics;
    }

    /**
     * Handles one request for {@code requested} (the path's service) with this body.
     *
     * @param arrivedNanos when this server first saw the request ({@link System#nanoTime()}): its {@code timeout}
     *     runs from then
     * @param headers the request's headers by name, for its trace context
     */
    Reply process(String requested, byte[] body, long arrivedNanos, Function<String, String> headers) {
        long start = System.nanoTime();
        Outcome outcome = handle(requested, body, arrivedNanos, headers);
        metrics.record(outcome.kind, outcome.method, outcome.type, start);
        return outcome.reply;
    }

    /** Whether a call with this msg_id runs here now (the call monitor asks). */
    boolean isRunning(String msgId) {
        return running.contains(msgId);
    }

    private Outcome handle(String requested, byte[] body, long arrivedNanos, Function<String, String> headers) {
        if (!service.equals(requested)) {
            return Outcome.refused(WireError.INVALID_TARGET, "this server serves " + service + ", not "
                    + Untrusted.excerpt(requested));
        }
        Request request;
        try {
            request = StrictJson.read(Wire.REQUEST_READER, body);
        } catch (InvalidRequest e) {
            return Outcome.refused(WireError.INVALID_REQUEST, "the body is not a valid RPC request: " + e.getMessage());
        }
        String problem = problemWith(request);
        if (problem != null) {
            return Outcome.refused(WireError.INVALID_REQUEST, problem);
        }
        Version version;
        try {
            version = Version.parse(request.version());
        } catch (IllegalArgumentException e) {
            return Outcome.refused(WireError.INVALID_REQUEST, e.getMessage());
        }
        String msgId = request.msgId() != null ? request.msgId() : UUID.randomUUID().toString();
        RpcContext context = new RpcContext(request.context(), msgId);
        String kind = request.kind();
        String expired = expired(request, arrivedNanos);
        if (expired != null) {
            return new Outcome(Reply.error(WireError.EXPIRED, expired), kind, ServerMetrics.UNKNOWN_METHOD,
                    WireError.EXPIRED.type());
        }
        // From here the request names its method: a server span, a child of the caller's if the headers carry one.
        Tracing.Span span = Tracing.get().server(service + "/" + request.method(), headers);
        Outcome outcome = run(request, version, context, span);
        span.end(outcome.reply.status() >= 400 ? outcome.type : null);
        return outcome;
    }

    /** Runs a call or queues a cast (which runs later with {@code span} current, so its own calls join the trace). */
    private Outcome run(Request request, Version version, RpcContext context, Tracing.Span span) {
        String kind = request.kind();
        String msgId = context.msgId();
        if ("cast".equals(kind)) {
            // Which methods exist is only known once the cast runs, so casts are counted without their method.
            String refusal = casts.admit(request.method(), msgId, span.wrap(() -> runCast(request, version,
                    context)));
            if (refusal != null) {
                return new Outcome(busy(refusal), kind, ServerMetrics.UNKNOWN_METHOD, WireError.SERVER_BUSY.type());
            }
            return new Outcome(new Reply(202, Reply.json(() -> Wire.ACCEPTED_WRITER.writeValueAsBytes(
                    new Wire.Accepted(msgId)))), kind, ServerMetrics.UNKNOWN_METHOD, "accepted");
        }
        if (!callSlots.tryAcquire()) {
            return new Outcome(busy("the server is running as many calls as it may"), kind,
                    ServerMetrics.UNKNOWN_METHOD, WireError.SERVER_BUSY.type());
        }
        running.add(msgId);
        try (Tracing.Scope scope = span.makeCurrent()) {
            Object result = dispatcher.dispatch(request.method(), request.args(), request.namespace(), version, context);
            byte[] reply = Reply.json(() -> Wire.RESULT_WRITER.writeValueAsBytes(new Wire.Result(result)));
            return new Outcome(new Reply(200, reply), kind, request.method(), "ok");
        } catch (NoSuchMethod e) {
            return Outcome.refused(WireError.NO_SUCH_METHOD, e.getMessage());
        } catch (UnsupportedVersion e) {
            return Outcome.refused(WireError.UNSUPPORTED_VERSION, e.getMessage());
        } catch (InvalidRequest e) {
            return new Outcome(Reply.error(WireError.INVALID_REQUEST, e.getMessage()), kind, request.method(),
                    WireError.INVALID_REQUEST.type());
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            return new Outcome(Reply.remote(cause.getClass().getName(), String.valueOf(cause.getMessage()),
                    trace(cause)), kind, request.method(), WireError.REMOTE_ERROR.type());
        } finally {
            running.remove(msgId);
            callSlots.release();
        }
    }

    /**
     * Why a request whose timeout ran out before it could start must not start, or null if it may. A call starts right
     * after this check and a cast is queued right after it, so this is the last moment to refuse: the client's own
     * clock started before ours (it sent the request before we saw it), so it has given up by now, and running the
     * call would do work its caller was told had failed. A cast is checked only here, at admission: once answered 202
     * it runs, however long it waits in the cast queue, because 202 promises that it will.
     */
    private static String expired(Request request, long arrivedNanos) {
        if (request.timeout() == null) {
            return null;
        }
        long waited = System.nanoTime() - arrivedNanos;
        if (waited <= (long) (request.timeout() * 1e9)) {
            return null;
        }
        return request.kind() + " " + Untrusted.excerpt(request.method()) + " waited " + waited / 1_000_000
                + " ms on this server (from its first byte) before it could " + ("call".equals(request.kind())
                ? "start" : "be queued") + ", past its timeout of " + request.timeout() + " s; it was not run, and"
                + " the client has given up on it by now";
    }

    private void runCast(Request request, Version version, RpcContext context) {
        try {
            dispatcher.dispatch(request.method(), request.args(), request.namespace(), version, context);
        } catch (InvocationTargetException e) {
            metrics.castFailed();
            log.warn("cast {} of {} (msg_id {}) failed: {}", Untrusted.escape(request.method()), service,
                    Untrusted.escape(context.msgId()), failure(e.getCause()));
        } catch (RpcException e) {
            metrics.castFailed();
            log.warn("cast {} of {} (msg_id {}) was not run: {}", Untrusted.escape(request.method()), service,
                    Untrusted.escape(context.msgId()), Untrusted.escape(e.getMessage()));
        }
    }

    /**
     * What a cast's method threw, for the log: its messages escaped, as they may quote the caller's arguments, with the
     * method's own frames (as a call's caller gets them) and the causes below it.
     */
    private static String failure(Throwable thrown) {
        StringBuilder text = new StringBuilder(Untrusted.escape(thrown));
        trace(thrown).forEach(frame -> text.append("\n\tat ").append(frame));
        Throwable cause = thrown.getCause();
        for (int depth = 0; cause != null && depth < MAX_CAUSES; depth++, cause = cause.getCause()) {
            text.append("\nCaused by: ").append(Untrusted.escape(cause));
        }
        return text.toString();
    }

    /** The method's own frames of what it threw, as the caller gets them. */
    private static List<String> trace(Throwable thrown) {
        return Dispatcher.methodFrames(thrown).stream().limit(MAX_TRACE).map(StackTraceElement::toString).toList();
    }

    private static String problemWith(Request r) {
        if (r == null) {
            return "the body is empty; send a JSON object with kind, method and args";
        }
        if (!"call".equals(r.kind()) && !"cast".equals(r.kind())) {
            return "kind must be call or cast, not " + Untrusted.excerpt(r.kind());
        }
        if (r.method() == null || r.method().isBlank()) {
            return "method is missing";
        }
        if (r.args() != null && !r.args().isObject()) {
            return "args must be a JSON object of named arguments, not " + r.args().getNodeType();
        }
        if (r.timeout() != null && !(r.timeout() > 0)) {
            return "timeout must be a positive number of seconds";
        }
        return null;
    }

    /** 503: refused before any work, so the client may send it again, here or elsewhere. */
    private static Reply busy(String why) {
        return Reply.error(WireError.SERVER_BUSY, why + "; send again later");
    }

}

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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
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

    /**
     * A reply and how {@link ServerMetrics} counts it.
     *
     * @param then what runs once the reply was given, or null: a cast to a {@link NonBlocking} method
     */
    private record Outcome(Reply reply, String kind, String method, String type, Runnable then) {
        Outcome(Reply reply, String kind, String method, String type) {
            this(reply, kind, method, type, null);
        }

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
     * Handles one request for {@code requested} (the path's service) with this body, and gives its reply to {@code
     * reply} exactly once. Everything that cannot wait is done on the calling thread, which may be one of Jetty's I/O
     * threads: checking the request, queueing a cast, refusing, and calls to methods declared {@link NonBlocking}, as
     * well as casts to them, which run right after their 202 was given instead of being queued.
     * Other calls run on {@code blocking}, after a call slot was taken here, so a flood of calls is refused at once
     * rather than queued for threads.
     *
     * @param arrivedNanos when this server first saw the request ({@link System#nanoTime()}): its {@code timeout}
     *     runs from then
     * @param headers the request's headers by name, for its trace context
     * @param blocking where calls that may block run
     */
    void process(String requested, byte[] body, long arrivedNanos, Function<String, String> headers,
            Executor blocking, Consumer<Reply> reply) {
        long start = System.nanoTime();
        Consumer<Outcome> done = outcome -> {
            metrics.record(outcome.kind, outcome.method, outcome.type, start);
            reply.accept(outcome.reply);
        };
        Outcome now = handle(requested, body, arrivedNanos, headers, blocking, done);
        if (now != null) {
            done.accept(now);
            if (now.then != null) {
                now.then.run();
            }
        }
    }

    /** Whether a call with this msg_id runs here now (the call monitor asks). */
    boolean isRunning(String msgId) {
        return running.contains(msgId);
    }

    /** The outcome of the request, or null if a call was handed to {@code blocking}, which gives it to {@code later}. */
    private Outcome handle(String requested, byte[] body, long arrivedNanos, Function<String, String> headers,
            Executor blocking, Consumer<Outcome> later) {
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
        String msgId = request.msgId() != null ? request.msgId() : Wire.newMsgId();
        RpcContext context = new RpcContext(request.context(), msgId);
        if ("cast".equals(request.kind())) {
            return cast(request, version, context, arrivedNanos, headers);
        }
        Dispatcher.Invoker invoker;
        try {
            invoker = dispatcher.find(request.method(), request.namespace(), version);
        } catch (NoSuchMethod e) {
            return Outcome.refused(WireError.NO_SUCH_METHOD, e.getMessage());
        } catch (UnsupportedVersion e) {
            return Outcome.refused(WireError.UNSUPPORTED_VERSION, e.getMessage());
        }
        if (!callSlots.tryAcquire()) {
            return new Outcome(busy("the server is running as many calls as it may"), request.kind(),
                    ServerMetrics.UNKNOWN_METHOD, WireError.SERVER_BUSY.type());
        }
        if (invoker.nonBlocking()) {
            return call(request, invoker, context, arrivedNanos, headers);
        }
        // The executor may run the call right here (when this thread may block): only a refusal before it started
        // is the hand-off's, with the slot still to give back and no reply sent yet.
        AtomicBoolean started = new AtomicBoolean();
        try {
            blocking.execute(() -> {
                started.set(true);
                later.accept(call(request, invoker, context, arrivedNanos, headers));
            });
        } catch (RejectedExecutionException e) {
            if (started.get()) {
                throw e;
            }
            callSlots.release();
            return new Outcome(busy("the server has no thread to run the call on"), request.kind(),
                    ServerMetrics.UNKNOWN_METHOD, WireError.SERVER_BUSY.type());
        }
        return null;
    }

    /** Queues a cast, which runs later with its server span current, so that its own calls join the trace. */
    private Outcome cast(Request request, Version version, RpcContext context, long arrivedNanos,
            Function<String, String> headers) {
        String expired = expired(request, arrivedNanos);
        if (expired != null) {
            return new Outcome(Reply.error(WireError.EXPIRED, expired), request.kind(), ServerMetrics.UNKNOWN_METHOD,
                    WireError.EXPIRED.type());
        }
        Tracing.Span span = Tracing.get().server(service + "/" + request.method(), headers);
        String msgId = context.msgId();
        Dispatcher.Invoker invoker = invokerOrNull(request, version);
        Runnable work = span.wrap(() -> runCast(request, version, context, invoker));
        if (invoker != null && invoker.nonBlocking()) {
            // Cheaper than waking a cast thread for it, and as sure to run: right after its 202, on this thread.
            span.end(null);
            return new Outcome(accepted(msgId), request.kind(), ServerMetrics.UNKNOWN_METHOD, "accepted", work);
        }
        // A cast to a method that does not exist is accepted all the same, so casts are counted without their method.
        String refusal = casts.admit(request.method(), msgId, work);
        Outcome outcome = refusal != null
                ? new Outcome(busy(refusal), request.kind(), ServerMetrics.UNKNOWN_METHOD, WireError.SERVER_BUSY.type())
                : new Outcome(accepted(msgId), request.kind(), ServerMetrics.UNKNOWN_METHOD, "accepted");
        span.end(refusal != null ? outcome.type : null);
        return outcome;
    }

    private static Reply accepted(String msgId) {
        return new Reply(202, Reply.json(() -> Wire.ACCEPTED_WRITER.writeValueAsBytes(new Wire.Accepted(msgId))));
    }

    /** The method a cast runs, or null if there is none: the cast is queued all the same, as oslo does. */
    private Dispatcher.Invoker invokerOrNull(Request request, Version version) {
        try {
            return dispatcher.find(request.method(), request.namespace(), version);
        } catch (NoSuchMethod | UnsupportedVersion e) {
            return null;
        }
    }

    /** Runs a call holding a call slot, and gives the slot back. */
    private Outcome call(Request request, Dispatcher.Invoker invoker, RpcContext context, long arrivedNanos,
            Function<String, String> headers) {
        String msgId = context.msgId();
        try {
            String expired = expired(request, arrivedNanos);
            if (expired != null) {
                return new Outcome(Reply.error(WireError.EXPIRED, expired), request.kind(),
                        ServerMetrics.UNKNOWN_METHOD, WireError.EXPIRED.type());
            }
            // From here the call runs: a server span, a child of the caller's if the headers carry one.
            Tracing.Span span = Tracing.get().server(service + "/" + request.method(), headers);
            running.add(msgId);
            Outcome outcome = null;
            try (Tracing.Scope scope = span.makeCurrent()) {
                outcome = invoke(request, invoker, context);
            } finally {
                span.end(outcome == null ? WireError.REMOTE_ERROR.type()
                        : outcome.reply.status() >= 400 ? outcome.type : null);
            }
            return outcome;
        } finally {
            running.remove(msgId);
            callSlots.release();
        }
    }

    private Outcome invoke(Request request, Dispatcher.Invoker invoker, RpcContext context) {
        String kind = request.kind();
        try {
            Object result = invoker.invoke(request.args(), context);
            byte[] reply = Reply.json(() -> Wire.RESULT_WRITER.writeValueAsBytes(new Wire.Result(result)));
            return new Outcome(new Reply(200, reply), kind, request.method(), "ok");
        } catch (InvalidRequest e) {
            return new Outcome(Reply.error(WireError.INVALID_REQUEST, e.getMessage()), kind, request.method(),
                    WireError.INVALID_REQUEST.type());
        } catch (RuntimeException e) {
            // Not the method's own failure but making its reply, e.g. a result Jackson cannot write: the call ran, so
            // the caller must hear so rather than wait for its timeout, and the endpoint's author must see why.
            log.warn("call {} of {} (msg_id {}) ran, but its reply could not be made", Untrusted.escape(
                    request.method()), service, Untrusted.escape(context.msgId()), e);
            return new Outcome(Reply.remote(e.getClass().getName(), "the call ran, but its reply could not be made: "
                    + Untrusted.excerpt(String.valueOf(e.getMessage())), List.of()), kind, request.method(),
                    WireError.REMOTE_ERROR.type());
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            return new Outcome(Reply.remote(cause.getClass().getName(), String.valueOf(cause.getMessage()),
                    trace(cause)), kind, request.method(), WireError.REMOTE_ERROR.type());
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

    /** Runs a cast with the method found when it was accepted; with none, looks again to log why there is none. */
    private void runCast(Request request, Version version, RpcContext context, Dispatcher.Invoker invoker) {
        try {
            (invoker != null ? invoker : dispatcher.find(request.method(), request.namespace(), version))
                    .invoke(request.args(), context);
        } catch (InvocationTargetException e) {
            metrics.castFailed();
            log.warn("cast {} of {} (msg_id {}) failed: {}", Untrusted.escape(request.method()), service,
                    Untrusted.escape(context.msgId()), failure(e.getCause()));
        } catch (RpcException e) {
            metrics.castFailed();
            log.warn("cast {} of {} (msg_id {}) was not run: {}", Untrusted.escape(request.method()), service,
                    Untrusted.escape(context.msgId()), Untrusted.escape(e.getMessage()));
        } catch (RuntimeException e) {
            // Not the method's failure but the server's: logged here, rather than thrown into the thread running the
            // cast, which may be an I/O thread that answered its 202 already.
            metrics.castFailed();
            log.error("cast {} of {} (msg_id {}) could not be run", Untrusted.escape(request.method()), service,
                    Untrusted.escape(context.msgId()), e);
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

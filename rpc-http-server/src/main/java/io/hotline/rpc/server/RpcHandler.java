package io.hotline.rpc.server;

import io.hotline.rpc.server.internal.http.AdaptiveHttpConnectionFactory;
import io.hotline.rpc.server.internal.http.JsonReplies;
import io.hotline.rpc.server.internal.http.RequestBody;
import io.hotline.rpc.server.internal.security.TokenCheck;
import io.hotline.rpc.internal.wire.Reply;
import io.hotline.rpc.internal.wire.WireError;
import java.time.Duration;
import java.util.concurrent.Executor;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Serves {@code POST /v1/rpc/{service}} straight from Jetty and passes everything else to the JAX-RS application.
 * Through Jersey a call cost a thread hand-off and per-request framework work, about half of Hotline's latency and a
 * third of its CPU in the RPC comparison; this path checks the token and content type, reads the body, and replies.
 *
 * <p>The handler is declared non-blocking, so Jetty may run it on the I/O thread that read the request instead of
 * waking another for it: a cast is checked, queued for the cast threads and answered 202 there, as are refusals and
 * calls to {@link NonBlocking} methods. What may block (other calls, and every request for the JAX-RS application)
 * runs here only when Jetty started this read as one that may block, and is handed to the server's request threads
 * otherwise. Which it is depends on the connection's last request ({@link AdaptiveHttpConnectionFactory}): a
 * connection carrying casts is read on the I/O thread, one carrying calls by a thread that may block, as before.
 */
final class RpcHandler extends Handler.Wrapper {

    private static final String PREFIX = "/v1/rpc/";
    /**
     * The largest body parsed on an I/O thread, which serves many connections: strict parsing of a body of the default
     * limit (1 MiB) takes milliseconds, during which all of them would wait. Typical RPC bodies are a few hundred bytes.
     */
    private static final int MAX_INLINE_BODY = 64 * 1024;

    private final RpcProcessor processor;
    private final TokenCheck token;
    private final Duration bodyTimeout;

    /**
     * @param token the token check, or null to accept requests without one
     * @param bodyTimeout a body not whole this long after the request began gets 408
     */
    RpcHandler(RpcProcessor processor, TokenCheck token, Duration bodyTimeout, Handler next) {
        super(next);
        this.processor = processor;
        this.token = token;
        this.bodyTimeout = bodyTimeout;
    }

    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        boolean mayBlock = AdaptiveHttpConnectionFactory.mayBlock(request);
        if (!path.startsWith(PREFIX) || !HttpMethod.POST.is(request.getMethod())) {
            if (mayBlock) {
                handleElsewhere(request, response, callback);
            } else {
                request.getComponents().getExecutor().execute(() -> handleElsewhere(request, response, callback));
            }
            return true;
        }
        if (token != null) {
            Reply refusal = token.refusal(request.getHeaders().getValuesList(HttpHeader.AUTHORIZATION));
            if (refusal != null) {
                return JsonReplies.refuseUnread(response, callback, refusal);
            }
        }
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (!JsonReplies.isJson(type)) {
            return JsonReplies.refuseUnread(response, callback, Reply.error(WireError.INVALID_REQUEST, 415,
                    "send the request body as Content-Type: application/json"));
        }
        String service = path.substring(PREFIX.length());
        Thread reader = Thread.currentThread();
        boolean[] returned = {false};
        // A body that came with the headers is processed right here; one still arriving waits without a thread, and is
        // processed on the I/O thread that reads its end. What may block runs here only if this thread may block and
        // the body came with the headers; otherwise on the pool, and so does the parsing of a large body. Either way
        // the connection's next request is read as this one needed.
        AdaptiveHttpConnectionFactory.readNext(request, false);
        RequestBody.readWithoutBlocking(request, response, callback, bodyTimeout, body -> {
            boolean here = mayBlock && Thread.currentThread() == reader && !returned[0];
            if (here || body.length <= MAX_INLINE_BODY) {
                process(request, response, callback, service, body, here);
            } else {
                request.getComponents().getExecutor().execute(() -> process(request, response, callback, service,
                        body, true));
            }
        });
        returned[0] = true;
        return true;
    }

    /**
     * Processes a whole body and replies.
     *
     * @param mayBlock whether this thread may run a call that may block, or must hand it to the pool
     */
    private void process(Request request, Response response, Callback callback, String service, byte[] body,
            boolean mayBlock) {
        Executor pool = request.getComponents().getExecutor();
        Executor blocking = call -> {
            AdaptiveHttpConnectionFactory.readNext(request, true);
            if (mayBlock) {
                call.run();
            } else {
                pool.execute(call);
            }
        };
        // The request's timeout runs from its first byte: the earliest moment this server knows of it.
        processor.process(service, body, request.getBeginNanoTime(), request.getHeaders()::get, blocking,
                reply -> JsonReplies.send(response, callback, reply));
    }

    /** The JAX-RS application's requests, on a request thread: its resources may block. */
    private void handleElsewhere(Request request, Response response, Callback callback) {
        try {
            if (!super.handle(request, response, callback)) {
                Response.writeError(request, response, callback, 404);
            }
        } catch (Throwable e) {
            callback.failed(e);
        }
    }
}

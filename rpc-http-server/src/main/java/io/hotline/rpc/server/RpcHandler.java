package io.hotline.rpc.server;

import io.hotline.rpc.server.internal.http.JsonReplies;
import io.hotline.rpc.server.internal.http.RequestBody;
import io.hotline.rpc.server.internal.security.TokenCheck;
import io.hotline.rpc.internal.wire.Reply;
import io.hotline.rpc.internal.wire.WireError;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Serves {@code POST /v1/rpc/{service}} straight from Jetty and passes everything else to the JAX-RS application.
 * Through Jersey a call cost a thread hand-off and per-request framework work, about half of Hotline's latency and a
 * third of its CPU in the RPC comparison; this path checks the token and content type, reads the body, and replies,
 * on the request's own thread when the body came with the headers (see {@link RequestBody} for one that did not).
 */
final class RpcHandler extends Handler.Wrapper {

    private static final String PREFIX = "/v1/rpc/";

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
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        if (!path.startsWith(PREFIX) || !HttpMethod.POST.is(request.getMethod())) {
            return super.handle(request, response, callback);
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
        // The handler is BLOCKING, so Jetty runs it on a pool thread; a body that came with the headers is processed
        // right here, which saves the hand-off, and one still arriving waits without this thread.
        String service = path.substring(PREFIX.length());
        // The request's timeout runs from its first byte: the earliest moment this server knows of it.
        long arrived = request.getBeginNanoTime();
        HttpFields headers = request.getHeaders();
        RequestBody.read(request, response, callback, bodyTimeout,
                body -> JsonReplies.send(response, callback, processor.process(service, body, arrived, headers::get)));
        return true;
    }
}

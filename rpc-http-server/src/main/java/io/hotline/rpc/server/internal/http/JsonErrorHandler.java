package io.hotline.rpc.server.internal.http;

import io.hotline.discovery.Untrusted;
import io.hotline.rpc.internal.wire.Reply;
import io.hotline.rpc.internal.wire.Wire;
import io.hotline.rpc.internal.wire.WireError;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty raises before a handler answers (a body over the size limit, a bad request line, a request refused
 * by a stopping server) and the 408 of {@link RequestBody} as JSON.
 */
final class JsonErrorHandler extends ErrorHandler {

    private final long maxBodyBytes;
    private final Duration bodyTimeout;

    JsonErrorHandler(long maxBodyBytes, Duration bodyTimeout) {
        this.maxBodyBytes = maxBodyBytes;
        this.bodyTimeout = bodyTimeout;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        WireError error = status == 413 || status == 408 || status == 400 ? WireError.INVALID_REQUEST
                : status == 503 ? WireError.SERVER_BUSY : WireError.HTTP_ERROR;
        String message = switch (status) {
            case 413 -> "the request body is larger than " + maxBodyBytes + " bytes";
            case 408 -> "the request body did not arrive in full within " + bodyTimeout + " of the request's start"
                    + " (hotline.http.body-timeout); send the whole body without pausing";
            // Jetty's GracefulHandler refuses a request that arrives while the server stops; nothing ran, and the
            // documents promise a 503 is ServerBusy with Retry-After, so that the client sends it elsewhere.
            case 503 -> "the server is stopping; nothing ran: send it again to another server";
            default -> "HTTP " + status + " " + Untrusted.excerpt(request.getAttribute(ERROR_MESSAGE));
        };
        if (status == 503) {
            response.getHeaders().put(JsonReplies.RETRY_LATER);
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Wire.JSON);
        response.write(true, ByteBuffer.wrap(Reply.error(error, status, message).body()), callback);
        return true;
    }
}

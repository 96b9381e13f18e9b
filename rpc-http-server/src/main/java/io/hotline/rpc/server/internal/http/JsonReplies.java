package io.hotline.rpc.server.internal.http;

import io.hotline.rpc.internal.wire.Reply;
import io.hotline.rpc.internal.wire.Wire;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Writing a JSON reply from a Jetty handler, as the RPC server and the broadcaster both do: the content type, a 503's
 * Retry-After, a 401's Bearer challenge, and {@code Connection: close} on a refusal before the body was read.
 *
 * <pre>{@code
 * if (!JsonReplies.isJson(request.getHeaders().get(HttpHeader.CONTENT_TYPE))) {
 *     return JsonReplies.refuseUnread(response, callback, Reply.error(WireError.INVALID_REQUEST, 415, "..."));
 * }
 * }</pre>
 */
public final class JsonReplies {

    /** What a 503 asks: send it again after a second, here or elsewhere. */
    public static final HttpField RETRY_LATER = new HttpField(HttpHeader.RETRY_AFTER, "1");
    private static final HttpField JSON_TYPE = new HttpField(HttpHeader.CONTENT_TYPE, Wire.JSON);
    private static final HttpField BEARER_CHALLENGE = new HttpField(HttpHeader.WWW_AUTHENTICATE, "Bearer");
    private static final HttpField CLOSE = new HttpField(HttpHeader.CONNECTION, "close");

    private JsonReplies() {}

    /** Whether a Content-Type header names JSON ({@code application/json}, any parameters); false for null. */
    public static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String media = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
        return media.equalsIgnoreCase(Wire.JSON);
    }

    /** Writes {@code reply}; a 503 says when to send it again, a 401 which scheme to authenticate with. */
    public static boolean send(Response response, Callback callback, Reply reply) {
        if (reply.retryLater()) {
            response.getHeaders().add(RETRY_LATER);
        }
        if (reply.status() == 401) {
            response.getHeaders().add(BEARER_CHALLENGE);
        }
        return send(response, callback, reply.status(), reply.body());
    }

    /** Writes a JSON body with this status. */
    public static boolean send(Response response, Callback callback, int status, byte[] body) {
        response.setStatus(status);
        response.getHeaders().add(JSON_TYPE);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    /**
     * A refusal before the body was read: Jetty may then close the connection, so say so, or a client reusing it
     * would see its next request fail.
     */
    public static boolean refuseUnread(Response response, Callback callback, Reply refusal) {
        response.getHeaders().add(CLOSE);
        return send(response, callback, refusal);
    }
}

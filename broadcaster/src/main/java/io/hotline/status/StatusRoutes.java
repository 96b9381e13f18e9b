package io.hotline.status;

import io.hotline.rpc.server.internal.http.JsonReplies;
import io.hotline.rpc.server.internal.security.TokenCheck;
import io.hotline.rpc.internal.wire.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The status page's HTTP side: under its path, {@code GET} of the page, its script and its JSON (the last snapshot,
 * behind the token when one is required); {@code GET} of the path without its slash redirects to it, so that the
 * page's relative URLs work. Declines every other request, for a handler after it to answer.
 */
final class StatusRoutes extends Handler.Abstract {


    private final String path;
    private static final TokenCheck.Wording WORDING = new TokenCheck.Wording(
            "the status needs a token: send Authorization: Bearer <hotline.http.token>, or open the page as"
                    + " status/#token=<token>",
            "the token is wrong; use the cluster's hotline.http.token");

    private final TokenCheck required;
    private final Supplier<Snapshot> fetch;
    private final byte[] page = resource("index.html");
    private final byte[] script = resource("status.js");

    /**
     * @param required the token the JSON needs, or null for none
     * @param fetch the snapshot to answer, which must not wait for a collection
     */
    StatusRoutes(String path, String required, Supplier<Snapshot> fetch) {
        this.path = path;
        this.required = required == null ? null : new TokenCheck(required);
        this.fetch = fetch;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!HttpMethod.GET.is(request.getMethod()) && !HttpMethod.HEAD.is(request.getMethod())) {
            return false;
        }
        String at = Request.getPathInContext(request);
        if (path.length() > 1 && at.equals(path.substring(0, path.length() - 1))) {
            Response.sendRedirect(request, response, callback, path);
            return true;
        }
        if (!at.startsWith(path)) {
            return false;
        }
        switch (at.substring(path.length())) {
            case "", "index.html" -> send(response, callback, HttpStatus.OK_200, "text/html; charset=utf-8", page);
            case "status.js" -> send(response, callback, HttpStatus.OK_200, "text/javascript; charset=utf-8",
                    script);
            case "api/status" -> {
                if (admitted(request, response, callback)) {
                    send(response, callback, HttpStatus.OK_200, "application/json", fetch.get().toJson());
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** The JSON is metrics, so it needs the token the rest of the process needs; the page and script hold no data. */
    private boolean admitted(Request request, Response response, Callback callback) {
        if (required == null) {
            return true;
        }
        Reply refusal = required.refusal(request.getHeaders().getValuesList(HttpHeader.AUTHORIZATION), WORDING);
        if (refusal == null) {
            return true;
        }
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        JsonReplies.send(response, callback, refusal);
        return false;
    }

    private static void send(Response response, Callback callback, int status, String type, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    private static byte[] resource(String name) {
        try (InputStream in = StatusRoutes.class.getResourceAsStream(name)) {
            return Objects.requireNonNull(in, name + " is missing from the jar").readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

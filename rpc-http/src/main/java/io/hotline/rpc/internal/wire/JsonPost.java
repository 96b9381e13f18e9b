package io.hotline.rpc.internal.wire;

import io.hotline.rpc.internal.tracing.TraceHeaders;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ByteBufferRequestContent;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;

/**
 * The POST of a JSON body every Hotline client sends (a call, a cast, a fanout's cast to each server), made cheap for
 * the hot path. Profiling the broadcaster showed Jetty rebuilding and re-parsing each request's URI as a string twice
 * (for the Host header, then for cookie matching), about a fifth of the cost of sending a cast; with the Host header
 * given and no cookie store, it does neither.
 */
public final class JsonPost {

    private JsonPost() {}

    /**
     * Readies a Hotline client: no cookie store (Hotline servers set no cookies; matching one costs per request), and
     * at most {@code maxConnectionsPerServer} connections to one server, instead of Jetty's hidden default of 64.
     */
    public static HttpClient configure(HttpClient http, int maxConnectionsPerServer) {
        http.setHttpCookieStore(new HttpCookieStore.Empty());
        http.setMaxConnectionsPerDestination(maxConnectionsPerServer);
        return http;
    }

    /**
     * A POST of {@code body} to {@code baseUri + path} that gives up after {@code timeoutMillis}.
     *
     * @param baseUri {@code scheme://host:port}, as {@link io.hotline.discovery.Endpoint#baseUri()} makes it
     * @param authorization the Authorization header's value, or null for none
     * @param trace the trace context headers to send, {@link TraceHeaders#NONE} for none
     */
    public static Request to(HttpClient http, String baseUri, String path, byte[] body, long timeoutMillis,
            String authorization, TraceHeaders trace) {
        HttpField host = new HttpField(HttpHeader.HOST, baseUri.substring(baseUri.indexOf("://") + 3));
        return http.newRequest(baseUri + path)
                .method(HttpMethod.POST)
                .headers(h -> {
                    h.put(host);
                    if (authorization != null) {
                        h.put(HttpHeader.AUTHORIZATION, authorization);
                    }
                    trace.forEach(h::put);
                })
                .body(new ByteBufferRequestContent(Wire.JSON, ByteBuffer.wrap(body)))
                .timeout(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * Sends {@code request} and completes with the server's whole answer of at most {@code maxResponseBytes}, also
     * when the server answered before reading the whole body and then cut the upload short, as a 413 for a body over
     * its limit does on HTTP/1.1 (the server closes the connection) or, from a server that resets the stream after
     * an early answer (RFC 9113, 8.1), on HTTP/2: Jetty fails the request although the answer arrived whole. The
     * answer, not the cut, says what happened. (A Hotline server reads an early-answered HTTP/2 body to its end
     * instead, as Jetty's client drops an answer whose reset it processes first.)
     *
     * <pre>{@code
     * JsonPost.send(JsonPost.to(http, baseUri, path, body, 5000, null, TraceHeaders.NONE), 1 << 20)
     *         .thenAccept(reply -> System.out.println(reply.getStatus()));
     * }</pre>
     */
    public static CompletableFuture<ContentResponse> send(Request request, int maxResponseBytes) {
        return new CompletableResponseListener(request, maxResponseBytes) {
            @Override
            public void onComplete(Result result) {
                // A response failure means the answer did not arrive whole; without one, only the upload failed.
                boolean answeredEarly = result.getRequestFailure() != null && result.getResponseFailure() == null;
                super.onComplete(answeredEarly ? new Result(result.getRequest(), result.getResponse()) : result);
            }
        }.send();
    }
}

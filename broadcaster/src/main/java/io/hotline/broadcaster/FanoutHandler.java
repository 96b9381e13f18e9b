package io.hotline.broadcaster;

import io.hotline.discovery.Untrusted;
import io.hotline.rpc.ServerBusy;
import io.hotline.rpc.internal.fanout.FanoutEngine;
import io.hotline.rpc.server.internal.http.JsonReplies;
import io.hotline.rpc.server.internal.http.RequestBody;
import io.hotline.rpc.server.internal.security.TokenCheck;
import io.hotline.rpc.server.internal.serving.Readiness;
import io.hotline.rpc.server.internal.serving.ServedMetrics;
import io.hotline.rpc.internal.tracing.Tracing;
import io.hotline.rpc.internal.wire.Reply;
import io.hotline.rpc.internal.wire.Wire;
import io.hotline.rpc.internal.wire.WireError;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code POST /v1/fanout/{service}}, {@code GET /healthz}, {@code /readyz}, {@code /metrics} and
 * {@code /openapi.json} straight from Jetty, in the style of rpc-http's RPC handler: check the token and content type
 * before reading, read the body with rpc-http's {@link RequestBody}
 * (on the request's thread when it came with the headers, without holding one while it arrives), answer JSON.
 * A fanout with a report is answered asynchronously when its last target has an outcome, so waiting for slow
 * servers holds no thread.
 *
 * <p>A share ({@code targets}, with {@code peers} the broadcasters it is split among) names the servers to cast to
 * and is for peer broadcasters only: a client could
 * otherwise make this broadcaster look up and report on any number of ids. So a share must carry the peer token in
 * {@value FanoutEngine#PEER_TOKEN_HEADER}; a broadcaster without one takes no shares. A share is refused for its peer
 * token after its body is read (and before its targets are looked at), so that its sender surely gets the answer and
 * casts the share itself.
 */
final class FanoutHandler extends Handler.Abstract {

    private static final Logger log = LoggerFactory.getLogger(FanoutHandler.class);
    private static final String PREFIX = "/v1/fanout/";
    private static final byte[] PASSING = "{\"status\":\"passing\"}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] API_DOCUMENT = apiDocument();

    private final FanoutEngine engine;
    private final BroadcasterMetrics metrics;
    private final TokenCheck token;
    private final TokenCheck peerToken;
    private final Duration bodyTimeout;
    private final Consumer<String> fannedOut;
    private final Supplier<Readiness> readiness;
    private final Supplier<String> selfId;

    /**
     * @param token the token check, or null to accept requests without one
     * @param peerToken the check of the peer token shares carry, or null to take no shares
     * @param bodyTimeout a body not whole this long after the request began gets 408
     * @param fannedOut told each service a fanout found servers of (so the name is a real one, not any a caller sent)
     * @param selfId this broadcaster's endpoint id once registered (else null), which a share's peers must name
     */
    FanoutHandler(FanoutEngine engine, BroadcasterMetrics metrics, TokenCheck token, TokenCheck peerToken,
            Duration bodyTimeout, Consumer<String> fannedOut, Supplier<Readiness> readiness,
            Supplier<String> selfId) {
        super(InvocationType.BLOCKING);
        this.selfId = selfId;
        this.readiness = readiness;
        this.engine = engine;
        this.metrics = metrics;
        this.token = token;
        this.peerToken = peerToken;
        this.bodyTimeout = bodyTimeout;
        this.fannedOut = fannedOut;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        boolean post = HttpMethod.POST.is(request.getMethod());
        if (path.equals("/healthz") && HttpMethod.GET.is(request.getMethod())) {
            return JsonReplies.send(response, callback, 200, PASSING);
        }
        if (path.equals("/readyz") && HttpMethod.GET.is(request.getMethod())) {
            Readiness r = readiness.get();
            if (!r.ready()) {
                response.getHeaders().add(JsonReplies.RETRY_LATER);
            }
            return JsonReplies.send(response, callback, r.httpStatus(), r.body());
        }
        if (path.equals("/openapi.json") && HttpMethod.GET.is(request.getMethod())) {
            return JsonReplies.send(response, callback, 200, API_DOCUMENT);
        }
        boolean scrape = path.equals("/metrics") && HttpMethod.GET.is(request.getMethod());
        if (!path.startsWith(PREFIX) && !scrape) {
            return JsonReplies.refuseUnread(response, callback, Reply.error(WireError.HTTP_ERROR, 404,
                    "the broadcaster serves POST " + PREFIX + "{service}, GET /healthz, GET /readyz, GET /metrics,"
                    + " GET /openapi.json and GET /status/, not "
                    + Untrusted.excerpt(request.getMethod() + " " + path)));
        }
        if (!post && !scrape) {
            return JsonReplies.refuseUnread(response, callback, Reply.error(WireError.HTTP_ERROR, 405, "send fanouts as POST "
                    + PREFIX + "{service}"));
        }
        // Metrics are token-protected like fanouts, as on an RPC server (Prometheus sends the token).
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (token != null) {
            Reply refusal = token.refusal(request.getHeaders().getValuesList(HttpHeader.AUTHORIZATION),
                    TokenCheck.Wording.BROADCASTER);
            if (refusal != null) {
                return JsonReplies.refuseUnread(response, callback, refusal);
            }
        }
        if (scrape) {
            ServedMetrics.Scrape scraped = metrics.scrape(request.getHeaders().get(HttpHeader.ACCEPT));
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, scraped.contentType());
            response.write(true, ByteBuffer.wrap(scraped.body().getBytes(StandardCharsets.UTF_8)), callback);
            return true;
        }
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (!JsonReplies.isJson(type)) {
            return JsonReplies.refuseUnread(response, callback, Reply.error(WireError.INVALID_REQUEST, 415,
                    "send the request body as Content-Type: application/json"));
        }
        // Without a peer token of its own the broadcaster ignores the header: it takes no shares from anyone.
        TokenCheck.Verdict peer = peerToken == null ? TokenCheck.Verdict.MISSING
                : peerToken.verdictOnBare(request.getHeaders().getValuesList(FanoutEngine.PEER_TOKEN_HEADER));
        String service = path.substring(PREFIX.length());
        HttpFields headers = request.getHeaders();
        RequestBody.read(request, response, callback, bodyTimeout,
                body -> fanOut(service, body, authorization, peer, headers::get, response, callback));
        return true;
    }

    /**
     * Starts the fanout a whole body asks for, and answers now or, with a report, when it is done.
     *
     * @param peer what the request's peer token amounts to: accepted, it may be a share
     * @param headers the request's headers by name, for its trace context
     */
    private void fanOut(String service, byte[] body, String authorization, TokenCheck.Verdict peer,
            Function<String, String> headers, Response response, Callback callback) {
        // A bad peer token is refused only now, once the body is in, though that costs reading it: refused before, a
        // large share's sender may see its connection reset instead of the answer, and could then not know that
        // nothing was cast, so it would not cast the share itself.
        if (peer == TokenCheck.Verdict.SEVERAL) {
            JsonReplies.send(response, callback, Reply.error(WireError.INVALID_REQUEST, "send one "
                    + FanoutEngine.PEER_TOKEN_HEADER + " header, not several"));
            return;
        }
        if (peer == TokenCheck.Verdict.WRONG) {
            JsonReplies.send(response, callback, Reply.error(WireError.ACCESS_DENIED, 403, "the peer token is wrong; every"
                    + " broadcaster needs the same hotline.broadcaster.peer-token"));
            return;
        }
        FanoutWire.Parsed parsed;
        try {
            FanoutWire.Request request = FanoutWire.read(body);
            if (request.targets() != null && peer != TokenCheck.Verdict.ACCEPTED) {
                // Before the targets are even checked: a client's share costs its parsing and this answer, no more.
                JsonReplies.send(response, callback, Reply.error(WireError.ACCESS_DENIED, 403, peerToken == null
                        ? "this broadcaster takes no shares (targets): it has no hotline.broadcaster.peer-token. To"
                                + " split fanouts among broadcasters, give every one the same peer token; a client"
                                + " leaves targets out and names zones"
                        : "targets is for peer broadcasters handing out a share, with their "
                                + FanoutEngine.PEER_TOKEN_HEADER + " header; a client leaves it out and names zones"));
                return;
            }
            parsed = FanoutWire.parse(request, Wire.newMsgId(), selfId.get());
        } catch (IllegalArgumentException e) {
            JsonReplies.send(response, callback, Reply.error(WireError.INVALID_REQUEST, e.getMessage()));
            return;
        }
        // A server span for the whole fanout, ended once every target has an outcome; every cast carries it.
        Tracing.Span span = Tracing.get().server(service + "/fanout", headers);
        FanoutEngine.Fanout fanout;
        try {
            fanout = engine.start(new FanoutEngine.Order(service, parsed.cast().msgId(), parsed.castBody(),
                    parsed.scopes(), authorization, parsed.targets(), parsed.peers(), span.headers()));
        } catch (IllegalArgumentException e) {
            span.end(WireError.INVALID_REQUEST.type());
            JsonReplies.send(response, callback, Reply.error(WireError.INVALID_REQUEST, e.getMessage()));
            return;
        } catch (FanoutEngine.ShareNotSeen e) {
            span.end(WireError.INVALID_REQUEST.type());
            JsonReplies.send(response, callback, Reply.error(WireError.INVALID_REQUEST, 409, e.getMessage()));
            return;
        } catch (ServerBusy e) {
            span.end(WireError.SERVER_BUSY.type());
            JsonReplies.send(response, callback, Reply.error(WireError.SERVER_BUSY, e.getMessage() + "; send again later"));
            return;
        }
        fanout.done().whenComplete((report, failure) -> span.end(failure == null ? null : "FanoutFailed"));
        if (parsed.targets() == null) {
            metrics.clientFanout();
        }
        if (fanout.targeted() > 0) {
            fannedOut.accept(service);
        }
        if (!parsed.report()) {
            JsonReplies.send(response, callback, 202,
                    FanoutWire.write(new FanoutWire.Accepted(fanout.msgId(), fanout.targeted(), fanout.note())));
            return;
        }
        fanout.done().whenComplete((report, failure) -> {
            if (failure != null) {
                log.warn("fanout {} of {} failed", Untrusted.escape(fanout.msgId()), Untrusted.escape(service),
                        failure);
                JsonReplies.send(response, callback, Reply.error(WireError.HTTP_ERROR, 500, "the fanout failed inside the"
                        + " broadcaster, whose log has the cause under its msg_id; some servers may have the cast"));
            } else {
                JsonReplies.send(response, callback, 200, FanoutWire.write(report));
            }
        });
    }

    /** The broadcaster's OpenAPI document, open like health (it tells nothing a client does not know). */
    private static byte[] apiDocument() {
        try (InputStream in = FanoutHandler.class.getResourceAsStream("/io/hotline/broadcaster/openapi.json")) {
            return in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("openapi.json is missing from the broadcaster jar", e);
        }
    }
}

package io.hotline.rpc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The proposal's {@code http_token}: requests carry {@code Authorization: Bearer TOKEN}. Missing is 401, wrong is
 * 403; compared in constant time so the token cannot be guessed byte by byte. One check for every Hotline process
 * that serves HTTP, so all of them answer alike.
 *
 * <pre>{@code
 * TokenCheck check = new TokenCheck(config.string("hotline.http.token").orElseThrow());
 * switch (check.verdict(request.getHeaders().get(HttpHeader.AUTHORIZATION))) { ... }
 * }</pre>
 */
public final class TokenCheck {

    private static final String BEARER = "Bearer ";

    /** What an Authorization header amounts to. */
    public enum Verdict {
        ACCEPTED, MISSING, WRONG
    }

    private final byte[] token;

    public TokenCheck(String token) {
        if (token == null || token.isEmpty()) {
            throw new IllegalArgumentException("the token is empty; leave it unset to accept requests without one");
        }
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    public Verdict verdict(String authorization) {
        if (authorization == null || !authorization.startsWith(BEARER)) {
            return Verdict.MISSING;
        }
        byte[] given = authorization.substring(BEARER.length()).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token) ? Verdict.ACCEPTED : Verdict.WRONG;
    }

    /** The refusal for this Authorization header in rpc-http's error shape, or null if it carries the token. */
    RpcProcessor.Reply refusal(String authorization) {
        return switch (verdict(authorization)) {
            case ACCEPTED -> null;
            case MISSING -> RpcProcessor.error(401, "AccessDenied",
                    "this server requires a token: send Authorization: Bearer <hotline.http.token>");
            case WRONG -> RpcProcessor.error(403, "AccessDenied",
                    "the token is wrong; use the server's hotline.http.token");
        };
    }
}

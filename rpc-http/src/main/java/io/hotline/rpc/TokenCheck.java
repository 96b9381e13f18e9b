package io.hotline.rpc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The proposal's {@code http_token}: requests carry {@code Authorization: Bearer TOKEN}. Missing is 401, wrong is
 * 403; compared in constant time so the token cannot be guessed byte by byte. Shared by the RPC handler and the
 * JAX-RS filter so both answer alike.
 */
final class TokenCheck {

    private static final String BEARER = "Bearer ";

    private final byte[] token;

    TokenCheck(String token) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    /** The refusal for this Authorization header, or null if it carries the token. */
    RpcProcessor.Reply refusal(String authorization) {
        if (authorization == null || !authorization.startsWith(BEARER)) {
            return RpcProcessor.error(401, "AccessDenied",
                    "this server requires a token: send Authorization: Bearer <hotline.http.token>");
        }
        byte[] given = authorization.substring(BEARER.length()).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token) ? null
                : RpcProcessor.error(403, "AccessDenied", "the token is wrong; use the server's hotline.http.token");
    }
}

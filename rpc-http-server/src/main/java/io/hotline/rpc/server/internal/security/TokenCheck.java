package io.hotline.rpc.server.internal.security;

import io.hotline.rpc.AccessDenied;
import io.hotline.rpc.InvalidRequest;
import io.hotline.rpc.internal.wire.Reply;
import io.hotline.rpc.internal.wire.WireError;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * The proposal's {@code http_token}: requests carry {@code Authorization: Bearer TOKEN}. Missing is 401, wrong is
 * 403; compared in constant time so the token cannot be guessed byte by byte. The scheme name is case-insensitive and
 * spaces around the token are ignored (RFC 9110, 11.1); more than one Authorization header is refused (400), since
 * servers and proxies differ in which one they read. One check for every Hotline process that serves HTTP, so all of
 * them answer alike. No answer ever repeats what a request sent.
 *
 * <pre>{@code
 * TokenCheck check = new TokenCheck(config.string("hotline.http.token").orElseThrow());
 * switch (check.verdict(request.getHeaders().getValuesList(HttpHeader.AUTHORIZATION))) { ... }
 * }</pre>
 */
public final class TokenCheck {

    private static final String BEARER = "Bearer";
    /** The refusal message for {@link Verdict#SEVERAL}. */
    public static final String ONE_HEADER = "send one Authorization header, not several: which one counts would"
            + " depend on the server or proxy reading them";

    /** What the Authorization headers of a request amount to. */
    public enum Verdict {
        ACCEPTED, MISSING, WRONG, SEVERAL
    }

    private final byte[] token;

    public TokenCheck(String token) {
        if (token == null || token.isEmpty()) {
            throw new IllegalArgumentException("the token is empty; leave it unset to accept requests without one");
        }
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    /** @param authorizations the values of every Authorization header of the request, in order (empty or null: none) */
    public Verdict verdict(List<String> authorizations) {
        if (authorizations == null || authorizations.isEmpty()) {
            return Verdict.MISSING;
        }
        if (authorizations.size() > 1) {
            return Verdict.SEVERAL;
        }
        String credentials = authorizations.get(0).strip();
        if (!credentials.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Verdict.MISSING;
        }
        String rest = credentials.substring(BEARER.length());
        if (rest.isBlank() || !Character.isWhitespace(rest.charAt(0))) {
            return Verdict.MISSING; // no token, or another scheme that starts with the same letters
        }
        return compare(rest.strip());
    }

    /**
     * The verdict on a header that carries the token as it is, without a scheme: the broadcasters' peer token
     * ({@code Hotline-Peer-Token}), which a request sends beside the client's Authorization header.
     *
     * @param values the values of every such header of the request, in order (empty or null: none)
     */
    public Verdict verdictOnBare(List<String> values) {
        if (values == null || values.isEmpty()) {
            return Verdict.MISSING;
        }
        if (values.size() > 1) {
            return Verdict.SEVERAL;
        }
        String given = values.get(0).strip();
        return given.isEmpty() ? Verdict.MISSING : compare(given);
    }

    /** In constant time for a given length, so that the token cannot be guessed byte by byte. */
    private Verdict compare(String given) {
        return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token) ? Verdict.ACCEPTED : Verdict.WRONG;
    }

    /** The refusal for these Authorization headers as an RPC server words it, or null if they carry the token. */
    public Reply refusal(List<String> authorizations) {
        return refusal(authorizations, Wording.SERVER);
    }

    /**
     * The refusal for these Authorization headers, or null if they carry the token: 401 {@code AccessDenied} when
     * it is missing (the caller adds {@code WWW-Authenticate: Bearer}), 403 when wrong, 400 {@code InvalidRequest}
     * for several headers.
     *
     * <pre>{@code
     * Reply refusal = check.refusal(headers.getValuesList(HttpHeader.AUTHORIZATION), TokenCheck.Wording.BROADCASTER);
     * }</pre>
     */
    public Reply refusal(List<String> authorizations, Wording wording) {
        return switch (verdict(authorizations)) {
            case ACCEPTED -> null;
            case MISSING -> Reply.error(WireError.ACCESS_DENIED, 401, wording.missing());
            case WRONG -> Reply.error(WireError.ACCESS_DENIED, 403, wording.wrong());
            case SEVERAL -> Reply.error(WireError.INVALID_REQUEST, 400, ONE_HEADER);
        };
    }

    /**
     * What a refusal says, in the words of the process that refuses.
     *
     * @param missing the message when no token came
     * @param wrong the message when a wrong one came (never the token sent)
     */
    public record Wording(String missing, String wrong) {
        /** An RPC server's words. */
        public static final Wording SERVER = new Wording(
                "this server requires a token: send Authorization: Bearer <hotline.http.token>",
                "the token is wrong; use the server's hotline.http.token");
        /** A broadcaster's words. */
        public static final Wording BROADCASTER = new Wording(
                "this broadcaster requires a token: send Authorization: Bearer <hotline.http.token>",
                "the token is wrong; use the cluster's hotline.http.token");
    }
}

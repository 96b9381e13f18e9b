package io.hotline.rpc;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * The proposal's {@code http_token}: every {@code /v1/} and {@code /metrics} request carries
 * {@code Authorization: Bearer TOKEN} (Prometheus sends one with its {@code authorization} setting). Missing is 401,
 * wrong is 403; compared in constant time so the token cannot be guessed byte by byte. {@code /healthz} and
 * {@code /openapi.json} stay open for health checkers and tooling.
 */
@Priority(Priorities.AUTHENTICATION)
final class TokenFilter implements ContainerRequestFilter {

    private static final String BEARER = "Bearer ";

    private final byte[] token;

    TokenFilter(String token) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("v1/") && !path.equals("metrics")) {
            return;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.startsWith(BEARER)) {
            request.abortWith(Response.status(Response.Status.UNAUTHORIZED)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                    .type(Wire.JSON)
                    .entity(RpcResource.errorBytes("AccessDenied",
                            "this server requires a token: send Authorization: Bearer <hotline.http.token>",
                            List.of()))
                    .build());
            return;
        }
        byte[] given = header.substring(BEARER.length()).getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, token)) {
            request.abortWith(RpcResource.error(Response.Status.FORBIDDEN, "AccessDenied",
                    "the token is wrong; use the server's hotline.http.token"));
        }
    }
}

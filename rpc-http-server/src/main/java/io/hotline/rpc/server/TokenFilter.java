package io.hotline.rpc.server;

import io.hotline.rpc.server.internal.security.TokenCheck;
import io.hotline.rpc.internal.wire.Reply;
import io.hotline.rpc.internal.wire.Wire;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

/**
 * {@link TokenCheck} for what Jersey serves: {@code /v1/calls/...} and {@code /metrics} (Prometheus sends the token
 * with its {@code authorization} setting). {@code /healthz}, {@code /readyz} and {@code /openapi.json} stay open for
 * health checkers and tooling.
 */
@Priority(Priorities.AUTHENTICATION)
final class TokenFilter implements ContainerRequestFilter {

    private final TokenCheck check;

    TokenFilter(TokenCheck check) {
        this.check = check;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("v1/") && !path.equals("metrics")) {
            return;
        }
        Reply refusal = check.refusal(request.getHeaders().get(HttpHeaders.AUTHORIZATION));
        if (refusal != null) {
            // Refused before the body was read, after which Jetty may close the connection: say so.
            Response.ResponseBuilder b = Response.status(refusal.status()).type(Wire.JSON).entity(refusal.body())
                    .header("Connection", "close");
            if (refusal.status() == 401) {
                b.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
            }
            request.abortWith(b.build());
        }
    }
}

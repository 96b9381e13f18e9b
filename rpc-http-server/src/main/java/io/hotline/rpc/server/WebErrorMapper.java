package io.hotline.rpc.server;

import io.hotline.rpc.internal.wire.Reply;
import io.hotline.rpc.internal.wire.Wire;
import io.hotline.rpc.internal.wire.WireError;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/**
 * Gives JAX-RS's own refusals (unknown path, wrong method, unsupported content type) the same JSON error body as
 * everything else, so clients parse one format.
 */
final class WebErrorMapper implements ExceptionMapper<WebApplicationException> {

    @Override
    public Response toResponse(WebApplicationException e) {
        Response original = e.getResponse();
        int status = original.getStatus();
        if (status < 400 || status > 599) {
            return original; // a redirect or other answer that is not an error keeps its own shape
        }
        String message = switch (status) {
            case 404 -> "no such resource; RPC requests go to POST /v1/rpc/{service}";
            case 405 -> "method not allowed here; see /openapi.json";
            case 406 -> "this server answers application/json only";
            case 415 -> "send the request body as Content-Type: application/json";
            default -> e.getMessage();
        };
        WireError error = status == 415 || status == 400 ? WireError.INVALID_REQUEST : WireError.HTTP_ERROR;
        // JAX-RS refused before reading the body, after which Jetty may close the connection: say so.
        Response.ResponseBuilder b = Response.status(status).type(Wire.JSON)
                .entity(Reply.error(error, status, message).body()).header("Connection", "close");
        original.getHeaders().forEach((k, v) -> {
            if (k.equalsIgnoreCase("Allow")) {
                v.forEach(value -> b.header(k, value));
            }
        });
        return b.build();
    }
}

package io.hotline.rpc.server;

import io.hotline.discovery.Untrusted;
import io.hotline.rpc.server.internal.serving.Readiness;
import io.hotline.rpc.server.internal.serving.ServedMetrics;
import io.hotline.rpc.internal.wire.Reply;
import io.hotline.rpc.internal.wire.Wire;
import io.hotline.rpc.internal.wire.WireError;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.util.function.Supplier;

/**
 * What the server answers besides the RPC path itself, which {@link RpcHandler} serves from Jetty directly: health,
 * readiness, the OpenAPI document, metrics and the call monitor. One instance serves every request. Public only
 * because Jersey invokes resource methods by reflection and refuses a class that is not; its constructor is the
 * package's own.
 */
@Path("/")
public final class RpcResource {

    private final RpcProcessor processor;
    private final ServerMetrics metrics;
    private final byte[] openApi;
    private final Supplier<Readiness> readiness;

    /**
     * @param openApi the document {@code /openapi.json} serves
     * @param readiness what {@code /readyz} answers
     */
    RpcResource(RpcProcessor processor, ServerMetrics metrics, byte[] openApi, Supplier<Readiness> readiness) {
        this.processor = processor;
        this.metrics = metrics;
        this.openApi = openApi.clone();
        this.readiness = readiness;
    }

    @GET
    @Path("healthz")
    @Produces(Wire.JSON)
    public Response health() {
        return Response.ok("{\"status\":\"passing\"}").type(Wire.JSON).build();
    }

    /** 200 while registered and taking calls, else 503 and why not; see {@link Readiness}. */
    @GET
    @Path("readyz")
    @Produces(Wire.JSON)
    public Response readiness() {
        Readiness r = readiness.get();
        Response.ResponseBuilder b = Response.status(r.httpStatus()).entity(r.body()).type(Wire.JSON);
        return (r.ready() ? b : b.header("Retry-After", "1")).build();
    }

    /**
     * The call monitor (oslo's call_monitor_timeout): a client waiting on a long call asks now and then whether this
     * server still runs it, and gives up early when the server is gone or has forgotten the call.
     */
    @GET
    @Path("v1/calls/{msgId}")
    @Produces(Wire.JSON)
    public Response callState(@PathParam("msgId") String msgId) {
        if (processor.isRunning(msgId)) {
            return Response.ok("{\"state\":\"running\"}").type(Wire.JSON).build();
        }
        return Response.status(Response.Status.NOT_FOUND).type(Wire.JSON)
                .entity(Reply.error(WireError.UNKNOWN_CALL, "no call with msg_id " + Untrusted.excerpt(msgId)
                        + " is running here")
                        .body())
                .build();
    }

    /** Prometheus' text format, or OpenMetrics when the scraper's {@code Accept} names it. */
    @GET
    @Path("metrics")
    public Response metrics(@HeaderParam("Accept") String accept) {
        ServedMetrics.Scrape scrape = metrics.scrape(accept);
        return Response.ok(scrape.body()).type(scrape.contentType()).build();
    }

    @GET
    @Path("openapi.json")
    @Produces(Wire.JSON)
    public Response openApi() {
        return Response.ok(openApi).type(Wire.JSON).build();
    }
}

package io.hotline.rpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.hotline.rpc.Wire.Request;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wire protocol's endpoints. One instance serves every request: nothing is looked up per request, and bodies are
 * read and written with the prebuilt Jackson readers and writers of {@link Wire}.
 */
@Path("/")
public final class RpcResource {

    private static final Logger log = LoggerFactory.getLogger(RpcResource.class);
    private static final int MAX_TRACE = 50;

    private final String service;
    private final Dispatcher dispatcher;
    private final ExecutorService casts;
    private final Semaphore callSlots;
    private final ServerMetrics metrics;
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final byte[] openApi;

    RpcResource(String service, Dispatcher dispatcher, ExecutorService casts, Semaphore callSlots,
            ServerMetrics metrics) {
        this.service = service;
        this.dispatcher = dispatcher;
        this.casts = casts;
        this.callSlots = callSlots;
        this.metrics = metrics;
        try (InputStream in = RpcResource.class.getResourceAsStream("/io/hotline/rpc/openapi.json")) {
            this.openApi = in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("openapi.json is missing from the rpc-http jar", e);
        }
    }

    @POST
    @Path("v1/rpc/{service}")
    @Consumes(Wire.JSON)
    @Produces(Wire.JSON)
    public Response rpc(@PathParam("service") String requested, byte[] body) {
        long start = System.nanoTime();
        Outcome outcome = handle(requested, body);
        metrics.record(outcome.kind, outcome.method, outcome.type, start);
        return outcome.response;
    }

    /** A reply and how {@link ServerMetrics} counts it. */
    private record Outcome(Response response, String kind, String method, String type) {
        static Outcome refused(Response.Status status, String type, String message) {
            return new Outcome(error(status, type, message), "-", ServerMetrics.UNKNOWN_METHOD, type);
        }
    }

    private Outcome handle(String requested, byte[] body) {
        if (!service.equals(requested)) {
            return Outcome.refused(Response.Status.NOT_FOUND, "InvalidTarget",
                    "this server serves " + service + ", not " + requested);
        }
        Request request;
        try {
            request = Wire.REQUEST_READER.readValue(body);
        } catch (JsonProcessingException e) {
            return Outcome.refused(Response.Status.BAD_REQUEST, "InvalidRequest",
                    "the body is not a valid RPC request: " + e.getOriginalMessage() + location(e));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String problem = problemWith(request);
        if (problem != null) {
            return Outcome.refused(Response.Status.BAD_REQUEST, "InvalidRequest", problem);
        }
        Version version;
        try {
            version = Version.parse(request.version());
        } catch (IllegalArgumentException e) {
            return Outcome.refused(Response.Status.BAD_REQUEST, "InvalidRequest", e.getMessage());
        }
        String msgId = request.msgId() != null ? request.msgId() : UUID.randomUUID().toString();
        RpcContext context = new RpcContext(request.context(), msgId);
        String kind = request.kind();
        if ("cast".equals(kind)) {
            // Which methods exist is only known once the cast runs, so casts are counted without their method.
            try {
                casts.execute(() -> runCast(request, version, context));
            } catch (RejectedExecutionException e) {
                return new Outcome(busy("the cast queue is full"), kind, ServerMetrics.UNKNOWN_METHOD, "ServerBusy");
            }
            return new Outcome(Response.accepted(json(() -> Wire.ACCEPTED_WRITER.writeValueAsBytes(
                    new Wire.Accepted(msgId)))).type(Wire.JSON).build(), kind, ServerMetrics.UNKNOWN_METHOD, "accepted");
        }
        if (!callSlots.tryAcquire()) {
            return new Outcome(busy("the server is running as many calls as it may"), kind,
                    ServerMetrics.UNKNOWN_METHOD, "ServerBusy");
        }
        running.add(msgId);
        try {
            Object result = dispatcher.dispatch(request.method(), request.args(), request.namespace(), version, context);
            JsonNode tree = Wire.MAPPER.valueToTree(result);
            return new Outcome(Response.ok(json(() -> Wire.RESULT_WRITER.writeValueAsBytes(new Wire.Result(tree))))
                    .type(Wire.JSON).build(), kind, request.method(), "ok");
        } catch (NoSuchMethod e) {
            return Outcome.refused(Response.Status.NOT_FOUND, "NoSuchMethod", e.getMessage());
        } catch (UnsupportedVersion e) {
            return Outcome.refused(Response.Status.CONFLICT, "UnsupportedVersion", e.getMessage());
        } catch (InvalidRequest e) {
            return new Outcome(error(Response.Status.BAD_REQUEST, "InvalidRequest", e.getMessage()), kind,
                    request.method(), "InvalidRequest");
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            return new Outcome(Response.serverError().type(Wire.JSON)
                    .entity(errorBytes(cause.getClass().getName(), String.valueOf(cause.getMessage()), trace(cause)))
                    .build(), kind, request.method(), "RemoteError");
        } finally {
            running.remove(msgId);
            callSlots.release();
        }
    }

    /**
     * The call monitor (oslo's call_monitor_timeout): a client waiting on a long call asks now and then whether this
     * server still runs it, and gives up early when the server is gone or has forgotten the call.
     */
    @GET
    @Path("v1/calls/{msgId}")
    @Produces(Wire.JSON)
    public Response callState(@PathParam("msgId") String msgId) {
        return running.contains(msgId) ? Response.ok("{\"state\":\"running\"}").type(Wire.JSON).build()
                : error(Response.Status.NOT_FOUND, "UnknownCall", "no call with msg_id " + msgId + " is running here");
    }

    /** 503 with Retry-After: refused before any work, so the client may send it again, here or elsewhere. */
    private static Response busy(String why) {
        return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", "1").type(Wire.JSON)
                .entity(errorBytes("ServerBusy", why + "; send again later", List.of())).build();
    }

    @GET
    @Path("healthz")
    @Produces(Wire.JSON)
    public Response health() {
        return Response.ok("{\"status\":\"passing\"}").type(Wire.JSON).build();
    }

    @GET
    @Path("metrics")
    @Produces("text/plain")
    public Response metrics() {
        return Response.ok(metrics.scrape()).type("text/plain; version=0.0.4; charset=utf-8").build();
    }

    @GET
    @Path("openapi.json")
    @Produces(Wire.JSON)
    public Response openApi() {
        return Response.ok(openApi).type(Wire.JSON).build();
    }

    private void runCast(Request request, Version version, RpcContext context) {
        try {
            dispatcher.dispatch(request.method(), request.args(), request.namespace(), version, context);
        } catch (InvocationTargetException e) {
            metrics.castFailed();
            log.warn("cast {} of {} (msg_id {}) failed", request.method(), service, context.msgId(), e.getCause());
        } catch (RpcException e) {
            metrics.castFailed();
            log.warn("cast {} of {} (msg_id {}) was not run: {}", request.method(), service, context.msgId(),
                    e.getMessage());
        }
    }

    private static String problemWith(Request r) {
        if (r == null) {
            return "the body is empty; send a JSON object with kind, method and args";
        }
        if (!"call".equals(r.kind()) && !"cast".equals(r.kind())) {
            return "kind must be call or cast, not " + r.kind();
        }
        if (r.method() == null || r.method().isBlank()) {
            return "method is missing";
        }
        if (r.args() != null && !r.args().isObject()) {
            return "args must be a JSON object of named arguments, not " + r.args().getNodeType();
        }
        if (r.timeout() != null && !(r.timeout() > 0)) {
            return "timeout must be a positive number of seconds";
        }
        return null;
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ")";
    }

    static List<String> trace(Throwable t) {
        return Arrays.stream(t.getStackTrace()).limit(MAX_TRACE).map(StackTraceElement::toString).toList();
    }

    static Response error(Response.Status status, String type, String message) {
        return Response.status(status).type(Wire.JSON).entity(errorBytes(type, message, List.of())).build();
    }

    static byte[] errorBytes(String type, String message, List<String> trace) {
        return json(() -> Wire.ERROR_WRITER.writeValueAsBytes(Wire.ErrorBody.of(type, message, trace)));
    }

    private interface JsonWrite {
        byte[] write() throws JsonProcessingException;
    }

    private static byte[] json(JsonWrite write) {
        try {
            return write.write();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON reply: " + e.getOriginalMessage(), e);
        }
    }
}

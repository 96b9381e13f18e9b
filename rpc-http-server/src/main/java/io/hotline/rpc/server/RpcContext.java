package io.hotline.rpc.server;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The request context a client sent with a message (oslo's {@code ctxt}: user, project, request id...). An
 * endpoint method receives it by declaring a parameter of this type.
 *
 * <pre>{@code
 * public String build(RpcContext ctx, String name) { log.info("request {}", ctx.values().get("request_id")); ... }
 * }</pre>
 *
 * @param values the context, as sent
 * @param msgId the message id the client gave the message
 */
public record RpcContext(Map<String, Object> values, String msgId) {
    public RpcContext {
        // Not Map.copyOf: JSON contexts may hold nulls.
        values = values == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }
}

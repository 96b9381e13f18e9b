/**
 * W3C trace context ({@code traceparent}, {@code tracestate}) across Hotline's hops: client to server, client to
 * broadcaster, broadcaster to every server of a fanout. Through the OpenTelemetry API when it is on the class path
 * (an optional dependency: the application brings it with its SDK, or the agent does); without it, or without an SDK
 * behind it, nothing is done. Plumbing shared by the client, the server and the broadcaster; may change without
 * notice.
 */
package io.hotline.rpc.internal.tracing;

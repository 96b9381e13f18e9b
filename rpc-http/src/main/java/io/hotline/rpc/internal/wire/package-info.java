/**
 * Internal: The JSON bodies of the wire protocol, the one ObjectMapper, replies, the table of wire errors
 * ({@link io.hotline.rpc.internal.wire.WireError}), and the HTTP client's POST.
 *
 * <p>Public only so that Hotline's own modules can share it; not an API. It may change without notice in any
 * release.
 */
package io.hotline.rpc.internal.wire;

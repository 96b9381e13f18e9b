/**
 * Internal: The JSON bodies of the wire protocol, the one ObjectMapper and the strict reading of bodies
 * ({@link io.hotline.rpc.internal.wire.StrictJson}), API versions ({@link io.hotline.rpc.internal.wire.Version}),
 * replies, the table of wire errors ({@link io.hotline.rpc.internal.wire.WireError}), and the HTTP client's POST.
 *
 * <p>Public only so that Hotline's own modules can share it; not an API. It may change without notice in any
 * release.
 */
package io.hotline.rpc.internal.wire;

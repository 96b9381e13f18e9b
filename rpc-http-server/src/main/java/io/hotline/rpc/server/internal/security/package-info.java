/**
 * Internal: token checks in constant time, for every Hotline process that serves (the RPC server, the broadcaster,
 * the status page).
 *
 * <p>Public only so that Hotline's own modules can share it; not an API. It may change without notice in any
 * release.
 */
package io.hotline.rpc.server.internal.security;

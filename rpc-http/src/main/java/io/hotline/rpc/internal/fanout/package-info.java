/**
 * Internal: Sending one cast to many servers: the engine, its send queue and its tree split between broadcasters.
 *
 * <p>Public only so that Hotline's own modules can share it; not an API. It may change without notice in any
 * release.
 */
package io.hotline.rpc.internal.fanout;

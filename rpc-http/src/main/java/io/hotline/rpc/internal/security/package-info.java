/**
 * Internal: TLS from PEM files, for clients and (through rpc-http-server) servers.
 *
 * <p>Public only so that Hotline's own modules can share it; not an API. It may change without notice in any
 * release.
 */
package io.hotline.rpc.internal.security;

/**
 * Internal: what every Hotline process that serves and registers shares (the RPC server, the broadcaster): the settings
 * both builders take, and one lifecycle of listener, registration, withdrawal, drain and stop.
 *
 * <p>Public only so that Hotline's own modules can share it; not an API. It may change without notice in any
 * release.
 */
package io.hotline.rpc.server.internal.serving;

/**
 * Internal: The HTTP side every Hotline process that listens shares: the listener, JSON replies, request bodies read
 * within their deadline.
 *
 * <p>Public only so that Hotline's own modules can share it; not an API. It may change without notice in any
 * release.
 */
package io.hotline.rpc.server.internal.http;

/**
 * Internal: Sending one cast to many servers: the send queue, the tree split between broadcasters, announcements.
 *
 * <p>Public only so that Hotline's own modules can share it; not an API. It may change without notice in any
 * release.
 */
package io.hotline.rpc.internal.fanout;

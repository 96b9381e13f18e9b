/**
 * Internal: what the meters of Hotline's clients and servers share, so that they can be read together.
 *
 * <p>Public only so that Hotline's own modules can share it; not an API. It may change without notice in any
 * release.
 */
package io.hotline.rpc.internal.metrics;

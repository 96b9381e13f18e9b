/**
 * What an endpoint store implements: {@link io.hotline.discovery.spi.EndpointStore} (its Javadoc is the contract),
 * found by name through an {@link io.hotline.discovery.spi.EndpointStoreProvider} listed in {@code
 * META-INF/services/io.hotline.discovery.spi.EndpointStoreProvider}. A store that cannot push changes builds its
 * {@link io.hotline.discovery.spi.Watch} on {@link io.hotline.discovery.spi.RelistingWatch}; one that retries on
 * its own (a subscription, a blocking query) waits by {@link io.hotline.discovery.spi.Backoff}, as the core does.
 *
 * <p>The store stays thin: caching, selection, failover and heartbeats live once in the core ({@link
 * io.hotline.discovery.Directory}, {@link io.hotline.discovery.Heartbeater}). Types here use the model (endpoints,
 * zones, health) and the configuration, never the core. The TCK ({@code io.hotline:tck}) checks a store against
 * every clause.
 */
package io.hotline.discovery.spi;

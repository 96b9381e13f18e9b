/**
 * The discovery model and core: what an endpoint is ({@link io.hotline.discovery.Endpoint}, {@link
 * io.hotline.discovery.Zone}, {@link io.hotline.discovery.HealthPolicy}), how a client finds one ({@link
 * io.hotline.discovery.Directory}: caching, selection, zone failover, serving stale) and how a server stays listed
 * ({@link io.hotline.discovery.Heartbeater}). The core works the same over every store.
 *
 * <pre>{@code
 * EndpointStore store = StoreProviders.load().open(HotlineConfig.load());
 * try (Directory directory = Directory.builder(store).build();
 *      Selection s = directory.select(Query.of("nova.conductor"))) {
 *     send(s.endpoint());
 * }
 * }</pre>
 *
 * <p>Packages: this one (model and core) uses {@link io.hotline.discovery.spi} (what a store implements), {@link
 * io.hotline.discovery.config} and {@link io.hotline.discovery.tls}; those use only the model's values, never the core.
 */
package io.hotline.discovery;

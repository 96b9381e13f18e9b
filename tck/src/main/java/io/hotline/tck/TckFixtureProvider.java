package io.hotline.tck;

import io.hotline.discovery.config.HotlineConfig;

/**
 * Makes {@link StoreFixture}s for the {@link TckRunner}, which finds providers with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/io.hotline.tck.TckFixtureProvider}) and picks the one whose {@link #storeName()} equals
 * {@code hotline.store} in its configuration file.
 *
 * <pre>{@code
 * public final class MyFixtureProvider implements TckFixtureProvider {
 *     public String storeName() { return "mystore"; }
 *     public StoreFixture create(HotlineConfig config) { return new MyStoreFixture(config); }
 * }
 * }</pre>
 */
public interface TckFixtureProvider {

    /** The store this provider makes fixtures for. */
    String storeName();

    /** A fixture for the store configured by {@code config}. */
    StoreFixture create(HotlineConfig config);
}

package io.hotline.discovery.spi;

import io.hotline.discovery.StoreUnavailableException;
import io.hotline.discovery.config.HotlineConfig;

/**
 * Opens stores of one kind; found by {@link java.util.ServiceLoader} (list the class in
 * {@code META-INF/services/io.hotline.discovery.spi.EndpointStoreProvider}) or added with
 * {@link io.hotline.discovery.StoreProviders#with(EndpointStoreProvider)}.
 *
 * <pre>{@code
 * public final class MyStoreProvider implements EndpointStoreProvider {
 *     public String name() { return "mystore"; }                         // hotline.store=mystore
 *     public EndpointStore open(HotlineConfig config) {
 *         return new MyStore(config.zone(), config.string("hotline.mystore.url").orElseThrow(...));
 *     }
 * }
 * }</pre>
 */
public interface EndpointStoreProvider {

    /** The value of {@code hotline.store} that selects this provider: lower case, e.g. {@code consul}. */
    String name();

    /**
     * Opens a store whose home zone is {@code config.zone()}, reading its own {@code hotline.<name>.*} keys.
     *
     * @throws IllegalArgumentException for a bad configuration value, saying which key and how to fix it
     * @throws StoreUnavailableException if the store must be reachable at open and is not
     */
    EndpointStore open(HotlineConfig config);
}

package io.hotline.discovery;

import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.EndpointStoreProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The store providers available to this process, by name: those found with {@link ServiceLoader} plus any added
 * in code. Immutable.
 *
 * <pre>{@code
 * EndpointStore store = StoreProviders.load().open(HotlineConfig.load());     // hotline.store picks one
 * EndpointStore mine = StoreProviders.load().with(new MyStoreProvider()).open(config);
 * }</pre>
 */
public final class StoreProviders {

    private final Map<String, EndpointStoreProvider> byName;

    private StoreProviders(Map<String, EndpointStoreProvider> byName) {
        this.byName = byName;
    }

    /** Providers visible to the thread's context class loader (or this library's, if there is none). */
    public static StoreProviders load() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return load(cl != null ? cl : StoreProviders.class.getClassLoader());
    }

    /**
     * Providers visible to {@code classLoader}.
     *
     * @throws IllegalStateException if two providers share a name, or a listed provider cannot be loaded
     */
    public static StoreProviders load(ClassLoader classLoader) {
        List<EndpointStoreProvider> found = new ArrayList<>();
        try {
            ServiceLoader.load(EndpointStoreProvider.class, classLoader).forEach(found::add);
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("cannot load an endpoint store provider: " + e.getMessage(), e);
        }
        StoreProviders providers = new StoreProviders(new TreeMap<>());
        for (EndpointStoreProvider p : found) {
            providers = providers.with(p);
        }
        return providers;
    }

    /**
     * These providers plus {@code provider}.
     *
     * @throws IllegalStateException if a provider with the same name is already present
     */
    public StoreProviders with(EndpointStoreProvider provider) {
        Objects.requireNonNull(provider, "provider");
        String name = provider.name();
        EndpointStoreProvider existing = byName.get(name);
        if (existing != null) {
            throw new IllegalStateException("two endpoint store providers are named '" + name + "': "
                    + existing.getClass().getName() + " and " + provider.getClass().getName()
                    + "; remove one of them from the class path");
        }
        Map<String, EndpointStoreProvider> copy = new TreeMap<>(byName);
        copy.put(name, provider);
        return new StoreProviders(copy);
    }

    /** The available names, sorted. */
    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    /**
     * The provider named {@code name}.
     *
     * @throws IllegalArgumentException listing the available names when there is none
     */
    public EndpointStoreProvider get(String name) {
        EndpointStoreProvider p = byName.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no endpoint store named '" + name + "'; available: "
                    + String.join(", ", byName.keySet())
                    + ". Put the store's plugin jar on the class path, or add its provider with StoreProviders.with(...)");
        }
        return p;
    }

    /** Opens the store {@code config} names with {@link HotlineConfig#STORE} (default {@code file}). */
    public EndpointStore open(HotlineConfig config) {
        String name = config.storeName();
        EndpointStoreProvider p;
        try {
            p = get(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(HotlineConfig.STORE + " (from " + config.sourceOf(HotlineConfig.STORE)
                    + "): " + e.getMessage(), e);
        }
        return p.open(config);
    }
}

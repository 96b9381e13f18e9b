package io.hotline.cli;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** The demo's {@code nova.compute}: builds the instances it is cast, and counts the fanout casts it gets. */
public final class ComputeEndpoint {

    private final List<String> instances = new CopyOnWriteArrayList<>();
    private final AtomicInteger cacheRefreshes = new AtomicInteger();

    public void build_and_run_instance(String instance_uuid) {
        instances.add(instance_uuid);
    }

    public void refresh_cache() {
        cacheRefreshes.incrementAndGet();
    }

    List<String> instances() {
        return List.copyOf(instances);
    }

    int cacheRefreshes() {
        return cacheRefreshes.get();
    }
}

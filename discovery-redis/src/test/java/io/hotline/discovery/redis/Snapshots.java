package io.hotline.discovery.redis;

import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.spi.WatchListener;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** Keeps what a watch delivers, for tests to wait on. */
final class Snapshots implements WatchListener {

    private final List<List<EndpointStatus>> snapshots = new CopyOnWriteArrayList<>();
    private final List<StoreException> errors = new CopyOnWriteArrayList<>();

    @Override
    public void onSnapshot(List<EndpointStatus> endpoints) {
        snapshots.add(List.copyOf(endpoints));
    }

    @Override
    public void onError(StoreException error) {
        errors.add(error);
    }

    boolean hasSnapshot() {
        return !snapshots.isEmpty();
    }

    /** The latest snapshot as id to health; empty before the first. */
    Map<String, Health> latest() {
        return snapshots.isEmpty() ? Map.of() : snapshots.get(snapshots.size() - 1).stream()
                .collect(Collectors.toMap(s -> s.endpoint().id(), EndpointStatus::health));
    }

    List<StoreException> errors() {
        return errors;
    }
}

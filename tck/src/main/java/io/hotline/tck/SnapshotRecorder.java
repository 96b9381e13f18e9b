package io.hotline.tck;

import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.WatchListener;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** Records every snapshot and error a watch delivers, in arrival order. */
final class SnapshotRecorder implements WatchListener {

    private final List<List<EndpointStatus>> snapshots = new CopyOnWriteArrayList<>();
    private final List<StoreException> errors = new CopyOnWriteArrayList<>();
    private final List<String> protocolViolations = new CopyOnWriteArrayList<>();

    @Override
    public void onSnapshot(List<EndpointStatus> endpoints) {
        if (!errors.isEmpty()) {
            protocolViolations.add("snapshot delivered after onError");
        }
        snapshots.add(List.copyOf(endpoints));
    }

    @Override
    public void onError(StoreException error) {
        if (!errors.isEmpty()) {
            protocolViolations.add("onError called twice");
        }
        errors.add(error);
    }

    List<List<EndpointStatus>> snapshots() {
        return List.copyOf(snapshots);
    }

    int count() {
        return snapshots.size();
    }

    /** The latest snapshot as id -> health, empty before the first. */
    Map<String, Health> latest() {
        if (snapshots.isEmpty()) {
            return Map.of();
        }
        return snapshots.get(snapshots.size() - 1).stream()
                .collect(Collectors.toMap(s -> s.endpoint().id(), EndpointStatus::health));
    }

    boolean hasSnapshot() {
        return !snapshots.isEmpty();
    }

    List<StoreException> errors() {
        return List.copyOf(errors);
    }

    List<String> protocolViolations() {
        return List.copyOf(protocolViolations);
    }
}

package io.hotline.tck;

import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.spi.WatchListener;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records every snapshot and error a watch delivers, in arrival order, with the {@link System#nanoTime} of each
 * arrival, and notes every breach of the listener protocol (a snapshot or a second error after {@code onError}).
 *
 * <pre>{@code
 * SnapshotRecorder rec = new SnapshotRecorder();
 * tck.watch(store, service, tck.home(), rec);
 * tck.within(tck.propagation()).until(rec::hasSnapshot);
 * }</pre>
 */
public final class SnapshotRecorder implements WatchListener {

    /** One delivered snapshot and when it arrived ({@link System#nanoTime}). */
    public record Delivery(List<EndpointStatus> snapshot, long arrivedNanos) {}

    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final List<StoreException> errors = new CopyOnWriteArrayList<>();
    private final List<String> protocolViolations = new CopyOnWriteArrayList<>();

    @Override
    public void onSnapshot(List<EndpointStatus> endpoints) {
        long now = System.nanoTime();
        if (!errors.isEmpty()) {
            protocolViolations.add("snapshot of " + endpoints.size() + " endpoints delivered after onError");
        }
        deliveries.add(new Delivery(List.copyOf(endpoints), now));
    }

    @Override
    public void onError(StoreException error) {
        if (!errors.isEmpty()) {
            protocolViolations.add("onError called twice");
        }
        errors.add(error);
    }

    /** Every snapshot so far, oldest first. */
    public List<List<EndpointStatus>> snapshots() {
        return deliveries.stream().map(Delivery::snapshot).toList();
    }

    /** Every snapshot so far with its arrival time, oldest first. */
    public List<Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    public int count() {
        return deliveries.size();
    }

    /** The latest snapshot, empty before the first. */
    public List<EndpointStatus> latestSnapshot() {
        return deliveries.isEmpty() ? List.of() : deliveries.get(deliveries.size() - 1).snapshot();
    }

    /** The latest snapshot as id -> health, empty before the first. */
    public Map<String, Health> latest() {
        return TckContext.byId(latestSnapshot());
    }

    public boolean hasSnapshot() {
        return !deliveries.isEmpty();
    }

    public List<StoreException> errors() {
        return List.copyOf(errors);
    }

    /** Breaches of the listener protocol seen so far; empty for a store that keeps it. */
    public List<String> protocolViolations() {
        return List.copyOf(protocolViolations);
    }
}

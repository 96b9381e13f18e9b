package io.hotline.benchmarks;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.ForwardingEndpointStore;

/**
 * A store that tells a {@link Listener} how each renewal and registration went, so that a benchmark running
 * {@code Heartbeater}s over it sees what they do: latencies, failures, the gaps they leave. Closing it leaves the
 * store it wraps open, for the benchmark closes that.
 *
 * <pre>{@code
 * Heartbeater hb = Heartbeater.start(new RecordingStore(store, (id, nanos) -> latencies.add(nanos)));
 * }</pre>
 */
final class RecordingStore extends ForwardingEndpointStore {

    /** What a benchmark hears; only {@link #renewed} is required. */
    interface Listener {
        /** A renewal of {@code id} succeeded, taking {@code nanos}. */
        void renewed(String id, long nanos);

        /** A renewal of {@code id} failed with {@code e} (a {@code NotRegisteredException} when the store forgot it). */
        default void renewFailed(String id, RuntimeException e) {}

        /** {@code endpoint} was registered. */
        default void registered(Endpoint endpoint) {}

        /** Registering {@code endpoint} failed with {@code e}. */
        default void registerFailed(Endpoint endpoint, RuntimeException e) {}
    }

    private final Listener listener;

    RecordingStore(EndpointStore store, Listener listener) {
        super(store);
        this.listener = listener;
    }

    @Override
    public void renew(String service, String id) {
        long start = System.nanoTime();
        try {
            super.renew(service, id);
        } catch (RuntimeException e) {
            listener.renewFailed(id, e);
            throw e;
        }
        listener.renewed(id, System.nanoTime() - start);
    }

    @Override
    public void register(Endpoint endpoint, HealthPolicy policy) {
        try {
            super.register(endpoint, policy);
        } catch (RuntimeException e) {
            listener.registerFailed(endpoint, e);
            throw e;
        }
        listener.registered(endpoint);
    }

    @Override
    public void close() {
        // the benchmark closes the store it wrapped
    }
}

package io.hotline.rpc.internal.serving;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.Heartbeater;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.internal.http.HttpListener;
import java.util.Map;
import java.util.function.Consumer;
import org.eclipse.jetty.server.Handler;

/**
 * One serving process's lifecycle, the RPC server's and the broadcaster's alike: a listener, the endpoint built from
 * it (its port and scheme, the settings' host and zone), registered and kept alive by heartbeats; closing withdraws
 * the registration, keeps serving for the drain delay while clients learn of it, then stops the listener gracefully
 * within its grace period. What the owner runs besides (queued casts, fanouts in flight) it drains after {@link #close()}.
 *
 * <pre>{@code
 * Serving serving = Serving.start(settings, "hotline-rpc", handler, store, "nova.conductor", "host-1", Map.of());
 * log.info("serving at {}", serving.endpoint().baseUri());
 * ...
 * serving.close();            // deregistered, drained, stopped; then finish the owner's own work
 * }</pre>
 */
public final class Serving implements AutoCloseable {

    private final HttpListener listener;
    private final Heartbeater heartbeater;
    private final Heartbeater.Registration registration;
    private final ServingSettings settings;
    private volatile boolean draining;

    private Serving(HttpListener listener, Heartbeater heartbeater, Heartbeater.Registration registration,
            ServingSettings settings) {
        this.listener = listener;
        this.heartbeater = heartbeater;
        this.registration = registration;
        this.settings = settings;
    }

    /**
     * Binds a port, serves {@code handler} there and registers the endpoint.
     *
     * @param threads names the request threads, e.g. {@code hotline-rpc}
     * @param server the server name to register under, or null for the listener's host
     * @throws IllegalStateException if no port is free or the listener cannot start
     * @throws RuntimeException whatever the store throws on registration; the listener is stopped then
     */
    public static Serving start(ServingSettings settings, String threads, Handler handler, EndpointStore store,
            String service, String server, Map<String, String> metadata) {
        return start(settings, threads, handler, store, service, server, metadata, endpoint -> { });
    }

    /**
     * As {@link #start(ServingSettings, String, Handler, EndpointStore, String, String, Map)}, telling {@code
     * beforeRegistering} the endpoint before anyone can find it: a broadcaster must know its own id before peers
     * can send it a share, or it could pick itself as a peer.
     */
    public static Serving start(ServingSettings settings, String threads, Handler handler, EndpointStore store,
            String service, String server, Map<String, String> metadata, Consumer<Endpoint> beforeRegistering) {
        HttpListener listener = HttpListener.start(settings.listener(), threads, handler);
        Heartbeater heartbeater = null;
        try {
            String host = settings.listener().host();
            Endpoint endpoint = Endpoint.builder(service)
                    .host(host)
                    .port(listener.port())
                    .scheme(listener.scheme())
                    .server(server != null ? server : host)
                    .zone(settings.zone() != null ? settings.zone() : store.homeZone())
                    .metadata(metadata)
                    .build();
            beforeRegistering.accept(endpoint);
            heartbeater = Heartbeater.start(store);
            return new Serving(listener, heartbeater, heartbeater.register(endpoint, settings.healthPolicy()), settings);
        } catch (RuntimeException e) {
            if (heartbeater != null) {
                heartbeater.close();
            }
            listener.close();
            throw e;
        }
    }

    /** The registration other processes find this one by. */
    public Endpoint endpoint() {
        return registration.endpoint();
    }

    /**
     * {@link Readiness#DRAINING} once {@link #close()} began, {@link Readiness#UNREGISTERED} while the heartbeats do
     * not reach the store, else {@link Readiness#READY}. The owner adds what only it knows (a saturated call pool).
     */
    public Readiness readiness() {
        if (draining) {
            return Readiness.DRAINING;
        }
        return registration.isHealthy() ? Readiness.READY : Readiness.UNREGISTERED;
    }

    /**
     * Deregisters, stops the heartbeats, keeps serving for the drain delay (clients learn of the deregistration through
     * their store watches and may send here until then), then stops taking requests and lets those in flight finish
     * within the listener's grace period.
     */
    @Override
    public void close() {
        draining = true;
        registration.close();
        heartbeater.close();
        try {
            Thread.sleep(settings.drainDelay().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        listener.close();
    }
}

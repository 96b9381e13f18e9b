package io.hotline.rpc.server.internal.serving;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.Heartbeater;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.server.internal.http.HttpListener;
import java.util.Map;
import java.util.function.Consumer;
import org.eclipse.jetty.server.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One serving process's lifecycle, the RPC server's and the broadcaster's alike: a listener, the endpoint built from
 * it (its port and scheme, the settings' zone, the host {@link AdvertisedHost} resolves), registered and kept alive
 * by heartbeats; closing withdraws the registration, keeps serving for the drain delay while clients learn of it, then
 * stops the listener gracefully within its grace period. What the owner runs besides (queued casts, fanouts in
 * flight) it drains after {@link #close()}.
 *
 * <pre>{@code
 * Serving serving = Serving.start(settings, "hotline-rpc", handler, store, "nova.conductor", "host-1", Map.of());
 * log.info("serving at {}", serving.endpoint().baseUri());
 * ...
 * serving.close();            // deregistered, drained, stopped; then finish the owner's own work
 * }</pre>
 */
public final class Serving implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Serving.class);

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
            String listening = settings.listener().host();
            String host = AdvertisedHost.resolve(listening, settings.advertisedHost());
            if (!host.equals(listening) && settings.advertisedHost() == null) {
                log.info("listening on {} (every interface); registering this host's address {} (set {} to choose"
                        + " another)", listening, host, ServingSettings.ADVERTISED_HOST);
            }
            Endpoint endpoint = Endpoint.builder(service)
                    .host(host)
                    .port(listener.port())
                    .scheme(listener.scheme())
                    .server(server != null ? server : host)
                    .zone(settings.zone() != null ? settings.zone() : store.homeZone())
                    .metadata(metadata)
                    .build();
            beforeRegistering.accept(endpoint);
            warnIfOthersCannotReach(store, endpoint);
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

    /**
     * Warns when a loopback address is registered beside endpoints of the service on other hosts: those hosts would
     * connect to themselves. The usual cause is a server on a real network left at the default host, 127.0.0.1.
     */
    private static void warnIfOthersCannotReach(EndpointStore store, Endpoint endpoint) {
        if (!AdvertisedHost.isLoopback(endpoint.host())) {
            return;
        }
        try {
            store.list(endpoint.service(), endpoint.zone()).stream()
                    .map(status -> status.endpoint().host())
                    .filter(other -> !AdvertisedHost.isLoopback(other))
                    .findFirst()
                    .ifPresent(remote -> log.warn("registering {} of {} at the loopback address {}, which only this"
                            + " host can reach, while other endpoints of {} are at {} and elsewhere: set {} (where to"
                            + " listen) or {} (what to register) to an address they can reach",
                            endpoint.id(), endpoint.service(), endpoint.host(), endpoint.service(), remote,
                            "hotline.http.host", ServingSettings.ADVERTISED_HOST));
        } catch (RuntimeException e) {
            // Only a warning: a store that cannot list now does not stop the server from starting.
            log.debug("cannot list {} to compare addresses: {}", endpoint.service(), e.toString());
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

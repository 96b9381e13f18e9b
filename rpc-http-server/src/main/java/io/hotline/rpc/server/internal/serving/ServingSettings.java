package io.hotline.rpc.server.internal.serving;

import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Untrusted;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.rpc.server.ListenerSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * What the RPC server's and the broadcaster's builders set alike: how to listen, the client token, where to register,
 * the health policy and the drain delay. Immutable; start from {@link #DEFAULT}.
 *
 * <pre>{@code
 * ServingSettings settings = ServingSettings.DEFAULT.config(HotlineConfig.load()).drainDelay(Duration.ZERO);
 * try (Serving serving = Serving.start(settings, "my-service", handler, store, "my.service", "host-1", Map.of())) {
 *     ...
 * }
 * }</pre>
 *
 * @param listener how to listen
 * @param token the {@code Authorization: Bearer} token requests need, or null for none
 * @param zone the zone to register in, or null for the store's home zone
 * @param healthPolicy how often to renew the registration and when the store gives up on it
 * @param drainDelay how long a stop keeps serving after deregistering, so that clients stop choosing this process
 * @param advertisedHost the host name or address to register, or null for the listener's (see {@link AdvertisedHost})
 */
public record ServingSettings(ListenerSettings listener, String token, Zone zone, HealthPolicy healthPolicy,
        Duration drainDelay, String advertisedHost) {

    /** Default listener, no token, the store's home zone, the default health policy, a 2 s drain delay. */
    public static final ServingSettings DEFAULT = new ServingSettings(ListenerSettings.DEFAULT, null, null,
            HealthPolicy.DEFAULT, Duration.ofSeconds(2), null);

    /** The configuration key of the advertised host. */
    public static final String ADVERTISED_HOST = "hotline.http.advertised-host";

    public ServingSettings {
        Objects.requireNonNull(listener, "settings");
        Objects.requireNonNull(healthPolicy, "policy");
        if (token != null && token.isEmpty()) {
            throw new IllegalArgumentException("the token is empty; leave it unset to accept requests without one");
        }
        if (drainDelay == null || drainDelay.isNegative()) {
            throw new IllegalArgumentException("drain delay " + drainDelay + " must not be negative");
        }
        if (advertisedHost != null && (advertisedHost.isBlank() || AdvertisedHost.isWildcard(advertisedHost))) {
            throw new IllegalArgumentException("the advertised host '" + Untrusted.excerpt(advertisedHost) + "' is "
                    + (advertisedHost.isBlank() ? "empty" : "a wildcard, which nobody can connect to") + "; name the"
                    + " host or address clients should use, or leave it unset for the listener's");
        }
    }

    public ServingSettings listener(ListenerSettings listener) {
        return new ServingSettings(listener, token, zone, healthPolicy, drainDelay, advertisedHost);
    }

    /** @throws IllegalArgumentException if null or empty: leave the token unset to accept requests without one */
    public ServingSettings token(String token) {
        if (token == null) {
            throw new IllegalArgumentException("the token is empty; leave it unset to accept requests without one");
        }
        return new ServingSettings(listener, token, zone, healthPolicy, drainDelay, advertisedHost);
    }

    public ServingSettings zone(Zone zone) {
        return new ServingSettings(listener, token, Objects.requireNonNull(zone, "zone"), healthPolicy, drainDelay,
                advertisedHost);
    }

    public ServingSettings healthPolicy(HealthPolicy policy) {
        return new ServingSettings(listener, token, zone, policy, drainDelay, advertisedHost);
    }

    public ServingSettings drainDelay(Duration delay) {
        return new ServingSettings(listener, token, zone, healthPolicy, delay, advertisedHost);
    }

    /** @throws IllegalArgumentException if empty or a wildcard address: see {@link AdvertisedHost} */
    public ServingSettings advertisedHost(String host) {
        return new ServingSettings(listener, token, zone, healthPolicy, drainDelay, Objects.requireNonNull(host,
                "host"));
    }

    /**
     * These settings with the listener's keys ({@link ListenerSettings#config}), {@code hotline.http.token},
     * {@code hotline.http.drain-delay}, {@code hotline.http.advertised-host}, {@code hotline.zone} and the health
     * policy's keys ({@link HealthPolicy#config}) from {@code config}; an empty token, advertised host or zone leaves
     * the current one.
     */
    public ServingSettings config(HotlineConfig config) {
        ServingSettings s = listener(listener.config(config));
        s = config.string("hotline.http.token").filter(t -> !t.isEmpty()).map(s::token).orElse(s);
        s = s.drainDelay(config.duration("hotline.http.drain-delay", drainDelay));
        String advertised = config.string(ADVERTISED_HOST, "");
        if (!advertised.isEmpty()) {
            try {
                s = s.advertisedHost(advertised);
            } catch (IllegalArgumentException e) {
                throw config.invalid(ADVERTISED_HOST, "is a wildcard, which nobody can connect to; name the host or"
                        + " address clients should use, or leave it unset for the listener's (hotline.http.host)");
            }
        }
        if (!config.string(HotlineConfig.ZONE).filter(z -> !z.isEmpty()).isEmpty()) {
            s = s.zone(config.zone());
        }
        return s.healthPolicy(healthPolicy.config(config));
    }
}

package io.hotline.discovery.redis;

import io.hotline.discovery.StoreException;
import io.hotline.discovery.StoreUnavailableException;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.EndpointStoreProvider;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code redis} store ({@code hotline.store=redis}): endpoints in Redis, standalone, behind Sentinel, or in a
 * Cluster, with health kept by the server's clock because Redis has no health checks of its own.
 *
 * <pre>{@code
 * HotlineConfig config = HotlineConfig.of(Map.of(
 *         "hotline.store", "redis",
 *         "hotline.zone", "region-one/az-1",
 *         "hotline.redis.mode", "sentinel",                       // standalone (default), sentinel or cluster
 *         "hotline.redis.nodes", "10.0.0.5:26379,10.0.0.6:26379",
 *         "hotline.redis.sentinel-master", "hotline",
 *         "hotline.redis.user", "hotline",
 *         "hotline.redis.password", secret,
 *         "hotline.redis.remotes", "az2",                         // a federated zone with a Redis of its own
 *         "hotline.redis.remote.az2.zone", "region-one/az-2",
 *         "hotline.redis.remote.az2.nodes", "10.1.0.5:6379"));
 * try (EndpointStore store = StoreProviders.load().open(config)) { ... }
 * }</pre>
 *
 * <p>Keys under {@code hotline.redis.} (and under {@code hotline.redis.remote.<alias>.} for each remote):
 * {@code mode}, {@code nodes}, {@code sentinel-master}, {@code user}, {@code password}, {@code sentinel-user},
 * {@code sentinel-password}, {@code tls.enabled}, {@code tls.cafile}, {@code tls.certfile}, {@code tls.keyfile},
 * {@code tls.verify-hostname}, {@code connect-timeout}, {@code timeout}, {@code key-prefix}, {@code resync-interval},
 * {@code sweep-interval}; see the README. Opening checks the credentials when the home deployment answers, and succeeds while it is down (heartbeats retry).
 */
public final class RedisStoreProvider implements EndpointStoreProvider {

    private static final Logger LOG = LoggerFactory.getLogger(RedisStoreProvider.class);

    @Override
    public String name() {
        return "redis";
    }

    /**
     * @throws IllegalArgumentException for a bad {@code hotline.redis.*} value, naming the key
     * @throws StoreException if the home deployment answers but refuses the credentials
     */
    @Override
    public EndpointStore open(HotlineConfig config) {
        Zone home = config.zone();
        RedisSettings settings = RedisSettings.home(config);
        Map<Zone, RedisDeployment> remotes = new LinkedHashMap<>();
        RedisSettings.remotes(config, home).forEach((zone, s) -> remotes.put(zone, new RedisDeployment(s)));
        RedisDeployment local = new RedisDeployment(settings);
        try {
            local.ping();
        } catch (StoreUnavailableException e) {
            LOG.warn("Redis {} does not answer yet; the store opens anyway and registrations retry: {}", settings,
                    e.getMessage());
        } catch (StoreException | IllegalArgumentException e) {
            local.close();
            throw e;
        }
        return new RedisStore(home, local, remotes);
    }
}

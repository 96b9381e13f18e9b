package io.hotline.discovery.redis;

import io.hotline.discovery.tls.PemTls;
import java.util.HashSet;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.X509TrustManager;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.UnifiedJedis;

/** Opens the Jedis client for one deployment: the only place that knows the three topologies apart. */
final class RedisClients {

    private static final int POOL_SIZE = 16;
    private static final int CLUSTER_ATTEMPTS = 3;

    private RedisClients() {}

    /**
     * A client for {@code settings}. Sentinel and Cluster clients contact the servers while they are built.
     *
     * @throws redis.clients.jedis.exceptions.JedisException if they cannot
     * @throws IllegalArgumentException if the CA, certificate or key file is not a usable PEM file
     */
    static UnifiedJedis open(RedisSettings settings) {
        JedisClientConfig config = clientConfig(settings, settings.user(), settings.password());
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(POOL_SIZE);
        pool.setMaxIdle(POOL_SIZE);
        // Without a bound a caller would wait forever for a connection while the server is away.
        pool.setMaxWait(settings.connectTimeout().plus(settings.timeout()));
        return switch (settings.mode()) {
            case STANDALONE -> RedisClient.builder().hostAndPort(settings.nodes().get(0)).clientConfig(config)
                    .poolConfig(pool).build();
            case SENTINEL -> RedisSentinelClient.builder().masterName(settings.sentinelMaster())
                    .sentinels(new HashSet<>(settings.nodes())).clientConfig(config).poolConfig(pool)
                    .sentinelClientConfig(clientConfig(settings, settings.sentinelUser(), settings.sentinelPassword()))
                    .build();
            case CLUSTER -> RedisClusterClient.builder().nodes(new HashSet<>(settings.nodes())).clientConfig(config)
                    .poolConfig(pool).maxAttempts(CLUSTER_ATTEMPTS)
                    .maxTotalRetriesDuration(settings.timeout()).build();
        };
    }

    private static JedisClientConfig clientConfig(RedisSettings settings, String user, String password) {
        DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis((int) settings.connectTimeout().toMillis())
                .socketTimeoutMillis((int) settings.timeout().toMillis())
                .clientName("hotline")
                .user(user.isEmpty() ? null : user)
                .password(password.isEmpty() ? null : password);
        if (settings.tls()) {
            SSLParameters parameters = new SSLParameters();
            if (settings.verifyHostname()) {
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
            }
            b.ssl(true).sslParameters(parameters);
            if (settings.caFile().isPresent() || settings.certFile().isPresent()) {
                X509TrustManager trust = PemTls.trustManager(settings.caFile().orElse(null));
                b.sslSocketFactory(PemTls.clientContext(trust, settings.certFile().orElse(null),
                        settings.keyFile().orElse(null)).getSocketFactory());
            }
        }
        return b.build();
    }
}

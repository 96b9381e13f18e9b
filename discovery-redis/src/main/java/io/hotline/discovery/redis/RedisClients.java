package io.hotline.discovery.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.HashSet;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
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
     * @throws IllegalArgumentException if the CA file is not a PEM file of certificates
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
            settings.caFile().ifPresent(ca -> b.sslSocketFactory(trusting(ca)));
        }
        return b.build();
    }

    private static SSLSocketFactory trusting(Path caFile) {
        try (InputStream in = Files.newInputStream(caFile)) {
            List<? extends Certificate> cas = List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
            if (cas.isEmpty()) {
                throw new IllegalArgumentException("the TLS CA file " + caFile + " holds no certificate; give a PEM file"
                        + " with one or more -----BEGIN CERTIFICATE----- blocks");
            }
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                trust.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the TLS CA file " + caFile + " as PEM certificates: " + e, e);
        }
    }
}

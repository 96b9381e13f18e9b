package io.hotline.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real Redis Sentinel for tests, monitoring the given masters (quorum 1), on a free 127.0.0.1 port in a temp dir.
 * By default failover is effectively off (a master is judged down only after a minute), so a test can kill and
 * restart a master and clients find it again through the sentinel at the same address; with a short down-after and a
 * replica, killing the master makes the sentinel promote the replica.
 *
 * <pre>{@code
 * try (RedisServer a = RedisServer.builder().start();
 *      RedisSentinel sentinel = RedisSentinel.start(Map.of("zone-a", a))) {
 *     // hotline.redis.mode=sentinel, nodes=sentinel.address(), sentinel-master=zone-a
 * }
 * }</pre>
 */
public final class RedisSentinel implements AutoCloseable {

    private final ServerProcess process;
    private final int port;

    private RedisSentinel(ServerProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts a sentinel that knows each master by its map key; returns once it reports every master's address. */
    public static RedisSentinel start(Map<String, RedisServer> masters) {
        return start(masters, Duration.ofMinutes(1));
    }

    /** As {@link #start(Map)}, judging a master down (and failing over to a replica) after {@code downAfter}. */
    public static RedisSentinel start(Map<String, RedisServer> masters, Duration downAfter) {
        RedisServer.requireInstalled("redis-server");
        int port = FreePorts.tcp();
        ServerProcess process = ServerProcess.builder("redis-sentinel")
                .command(dir -> List.of("redis-server", dir.resolve("sentinel.conf").toString(), "--sentinel"))
                .readiness(() -> masters.keySet().stream().allMatch(name -> knows(port, name)))
                .startupTimeout(Duration.ofSeconds(20))
                .stopTimeout(Duration.ofSeconds(5))
                .build();
        StringBuilder conf = new StringBuilder()
                .append("port ").append(port).append('\n')
                .append("bind 127.0.0.1\n")
                .append("dir ").append(process.directory()).append('\n');
        masters.forEach((name, server) -> conf
                .append("sentinel monitor ").append(name).append(" 127.0.0.1 ").append(server.port()).append(" 1\n")
                .append("sentinel down-after-milliseconds ").append(name).append(' ').append(downAfter.toMillis())
                .append('\n')
                .append("sentinel failover-timeout ").append(name).append(' ').append(downAfter.toMillis() * 10)
                .append('\n'));
        try {
            Files.writeString(process.directory().resolve("sentinel.conf"), conf);
        } catch (IOException e) {
            process.close();
            throw new UncheckedIOException("cannot write the sentinel's configuration", e);
        }
        try {
            process.start();
        } catch (RuntimeException e) {
            process.close();
            throw e;
        }
        return new RedisSentinel(process, port);
    }

    private static boolean knows(int port, String master) {
        try {
            return !RespProbe.send(port, "SENTINEL", "get-master-addr-by-name", master).startsWith("*-1");
        } catch (IOException e) {
            return false;
        }
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:port}, as {@code hotline.redis.nodes} takes it. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.close();
    }
}

package io.hotline.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Redis Cluster of three masters (no replicas) for tests, each a {@link RedisServer} on a free 127.0.0.1 port,
 * joined by {@code redis-cli --cluster create}. {@link #stop()} kills every node; {@link #start()} brings them back
 * empty, forgets the old cluster and creates it again on the same ports, as a cluster restarted without its data.
 *
 * <pre>{@code
 * try (RedisCluster cluster = RedisCluster.create()) {
 *     // hotline.redis.mode=cluster, nodes=cluster.addresses()
 * }
 * }</pre>
 */
public final class RedisCluster implements AutoCloseable {

    private static final int MASTERS = 3;
    private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(60);

    private final List<RedisServer> nodes;

    private RedisCluster(List<RedisServer> nodes) {
        this.nodes = nodes;
    }

    /** Starts three nodes and creates the cluster; returns once every node reports {@code cluster_state:ok}. */
    public static RedisCluster create() {
        RedisServer.requireInstalled("redis-cli");
        List<RedisServer> nodes = new ArrayList<>();
        RedisCluster cluster = new RedisCluster(nodes);
        try {
            // The cluster bus port is set too: by default it is the client port + 10000, which may be taken or too high.
            List<Integer> ports = FreePorts.tcp(2 * MASTERS);
            for (int i = 0; i < MASTERS; i++) {
                nodes.add(RedisServer.builder().name("redis-cluster-" + i).port(ports.get(i))
                        .arguments("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                                "--cluster-node-timeout", "5000", "--cluster-port",
                                Integer.toString(ports.get(MASTERS + i)))
                        .build());
            }
            cluster.start();
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** The nodes' {@code host:port}s, comma-separated, as {@code hotline.redis.nodes} takes them. */
    public String addresses() {
        return nodes.stream().map(RedisServer::address).collect(Collectors.joining(","));
    }

    public List<RedisServer> nodes() {
        return List.copyOf(nodes);
    }

    /** Kills every node. */
    public void stop() {
        nodes.forEach(RedisServer::stop);
    }

    /** Starts every node empty and creates the cluster again. */
    public void start() {
        for (RedisServer n : nodes) {
            try {
                Files.deleteIfExists(n.directory().resolve("nodes.conf"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete the old cluster state of " + n, e);
            }
            n.start();
        }
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        nodes.forEach(n -> cmd.add(n.address()));
        cmd.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        run(cmd);
        long deadline = System.nanoTime() + CREATE_TIMEOUT.toNanos();
        while (!nodes.stream().allMatch(RedisCluster::isOk)) {
            if (System.nanoTime() > deadline) {
                throw new ServerStartException("the Redis cluster " + addresses() + " is not ok after "
                        + CREATE_TIMEOUT, null);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ServerStartException("interrupted while waiting for the Redis cluster", e);
            }
        }
    }

    private static boolean isOk(RedisServer node) {
        try {
            return RespProbe.send(node.port(), "CLUSTER", "INFO").contains("cluster_state:ok");
        } catch (IOException e) {
            return false;
        }
    }

    private void run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(CREATE_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new ServerStartException(String.join(" ", cmd) + " failed:\n"
                        + new String(out, StandardCharsets.UTF_8), null);
            }
        } catch (IOException e) {
            throw new ServerStartException("cannot run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServerStartException("interrupted while creating the Redis cluster", e);
        }
    }

    @Override
    public void close() {
        nodes.forEach(RedisServer::close);
    }
}

package io.hotline.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Redis harness against the real redis-server and redis-cli. */
class RedisServerTest {

    @Test
    void restartBringsItBackEmptyOnTheSamePortAndCloseRemovesItsDirectory() throws Exception {
        RedisServer redis = RedisServer.builder().start();
        try {
            assertThat(RespProbe.send(redis.port(), "SET", "k", "v")).isEqualTo("+OK");
            assertThat(RespProbe.send(redis.port(), "GET", "k")).isEqualTo("v");
            redis.stop();
            assertThat(redis.isRunning()).isFalse();
            assertThatThrownBy(() -> RespProbe.send(redis.port(), "PING")).isInstanceOf(IOException.class);
            redis.start();
            assertThat(RespProbe.send(redis.port(), "GET", "k")).as("restarted empty").isEqualTo("$-1");
        } finally {
            redis.close();
        }
        assertThat(Files.exists(redis.directory())).isFalse();
    }

    @Test
    void aclUsersAreTheOnlyWayInWhenTheDefaultUserIsOff() throws Exception {
        try (RedisServer redis = RedisServer.builder().user("app", "pw1", "~app:* +@all").defaultUserOff().start()) {
            assertThat(RespProbe.send(redis.port(), "PING")).startsWith("-NOAUTH");
            assertThat(RespProbe.send(redis.port(), "AUTH", "app", "wrong")).startsWith("-WRONGPASS");
            assertThat(RespProbe.send(redis.port(), "AUTH", "app", "pw1")).isEqualTo("+OK");
        }
    }

    @Test
    void aClusterOfThreeMastersServesEverySlotAndIsCreatedAgainAfterARestart() throws Exception {
        try (RedisCluster cluster = RedisCluster.create()) {
            assertThat(cluster.nodes()).hasSize(3);
            assertThat(RespProbe.send(cluster.nodes().get(0).port(), "CLUSTER", "INFO"))
                    .contains("cluster_state:ok", "cluster_slots_assigned:16384", "cluster_known_nodes:3");
            cluster.stop();
            cluster.start();
            assertThat(RespProbe.send(cluster.nodes().get(2).port(), "CLUSTER", "INFO")).contains("cluster_state:ok");
        }
    }

    @Test
    void aSentinelKnowsItsMasters() throws Exception {
        try (RedisServer master = RedisServer.builder().start();
                RedisSentinel sentinel = RedisSentinel.start(Map.of("zone-a", master))) {
            assertThat(RespProbe.send(sentinel.port(), "PING")).isEqualTo("+PONG");
            assertThat(sentinel.address()).isEqualTo("127.0.0.1:" + sentinel.port());
        }
    }

    @Test
    void aPortSomethingElseHoldsIsReportedAsTakenAndAGivenPortIsNotSwapped(@TempDir Path dir) throws Exception {
        // A failed server's directory is kept for diagnosis; this failure is on purpose, so JUnit's directory.
        try (ServerSocket held = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> RedisServer.builder().port(held.getLocalPort()).directory(dir).start())
                    .isInstanceOfSatisfying(ServerStartException.class, e -> assertThat(e.portTaken()).isTrue());
        }
        assertThat(new ServerStartException("redis failed to start: not ready within 20 s", null).portTaken())
                .isFalse();
        assertThat(new ServerStartException("redis failed to start: not ready within 20 s\n"
                + "    ---- 2026-11-22T07:00:00Z starting: redis-server --port 1\n"
                + "    # Could not create server TCP listening socket 127.0.0.1:1: bind: Address already in use\n"
                + "    ---- 2026-11-22T07:00:01Z starting: redis-server --port 2\n"
                + "    # Server initialized", null).portTaken()).as("an earlier start's output does not count")
                .isFalse();
    }

    @Test
    void aMissingProgramFailsWithTheInstallHint() {
        assertThatThrownBy(() -> RedisServer.requireInstalled("no-such-redis-server"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no-such-redis-server is not installed")
                .hasMessageContaining("scripts/install-deps");
    }
}

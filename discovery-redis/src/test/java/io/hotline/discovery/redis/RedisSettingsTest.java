package io.hotline.discovery.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.testing.Certificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.HostAndPort;

class RedisSettingsTest {

    private static final Zone HOME = Zone.of("region-one/az-1");

    private static HotlineConfig config(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return HotlineConfig.of(m);
    }

    @Test
    void defaultsToALocalStandaloneServer() {
        RedisSettings s = RedisSettings.home(config());
        assertThat(s.mode()).isEqualTo(RedisSettings.Mode.STANDALONE);
        assertThat(s.nodes()).containsExactly(new HostAndPort("127.0.0.1", 6379));
        assertThat(s.keyPrefix()).isEqualTo("hotline");
        assertThat(s.tls()).isFalse();
        assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(RedisSettings.remotes(config(), HOME)).isEmpty();
    }

    @Test
    void readsEveryKey() {
        RedisSettings s = RedisSettings.home(config("hotline.redis.mode", "Sentinel",
                "hotline.redis.nodes", "10.0.0.5:26380, [::1]:26381,sentinel-3",
                "hotline.redis.sentinel-master", "hotline", "hotline.redis.user", "app", "hotline.redis.password", "pw",
                "hotline.redis.timeout", "500ms", "hotline.redis.connect-timeout", "3s", "hotline.redis.key-prefix",
                "site:a", "hotline.redis.resync-interval", "1m", "hotline.redis.tls.enabled", "yes",
                "hotline.redis.tls.verify-hostname", "false"));
        assertThat(s.mode()).isEqualTo(RedisSettings.Mode.SENTINEL);
        assertThat(s.nodes()).containsExactly(new HostAndPort("10.0.0.5", 26380), new HostAndPort("::1", 26381),
                new HostAndPort("sentinel-3", 26379));
        assertThat(s.sentinelMaster()).isEqualTo("hotline");
        assertThat(s.user()).isEqualTo("app");
        assertThat(s.timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.keyPrefix()).isEqualTo("site:a");
        assertThat(s.resyncInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(s.tls()).isTrue();
        assertThat(s.verifyHostname()).isFalse();
        assertThat(s.toString()).contains("sentinel", "as app", "TLS").doesNotContain("pw");
    }

    @Test
    void readsRemoteZones() {
        Map<Zone, RedisSettings> remotes = RedisSettings.remotes(config("hotline.redis.remotes", "az2, west",
                "hotline.redis.remote.az2.zone", "region-one/az-2", "hotline.redis.remote.az2.nodes", "10.1.0.5:6380",
                "hotline.redis.remote.west.zone", "region-two", "hotline.redis.remote.west.mode", "cluster",
                "hotline.redis.remote.west.nodes", "10.2.0.5:7000,10.2.0.6:7000"), HOME);
        assertThat(remotes.keySet()).containsExactly(Zone.of("region-one/az-2"), Zone.of("region-two"));
        assertThat(remotes.get(Zone.of("region-one/az-2")).nodes()).containsExactly(new HostAndPort("10.1.0.5", 6380));
        assertThat(remotes.get(Zone.of("region-two")).mode()).isEqualTo(RedisSettings.Mode.CLUSTER);
    }

    @Test
    void readsTheRedisSectionOfAnOsloIniFile(@TempDir Path dir) throws Exception {
        Path ini = dir.resolve("nova.conf");
        Files.writeString(ini, """
                [oslo_messaging_http]
                store = redis
                zone = region-one/az-1

                [redis]
                mode = sentinel
                nodes = 10.0.0.5:26379
                sentinel_master = hotline
                password = "pa$$ ;word"
                key_prefix = nova
                remotes = az2
                remote.az2.zone = region-one/az-2
                remote.az2.nodes = 10.1.0.5:6379
                """);
        HotlineConfig config = HotlineConfig.fromFile(ini);
        RedisSettings s = RedisSettings.home(config);
        assertThat(config.storeName()).isEqualTo("redis");
        assertThat(s.sentinelMaster()).isEqualTo("hotline");
        assertThat(s.password()).isEqualTo("pa$$ ;word");
        assertThat(s.keyPrefix()).isEqualTo("nova");
        assertThat(RedisSettings.remotes(config, config.zone()).get(Zone.of("region-one/az-2")).nodes())
                .containsExactly(new HostAndPort("10.1.0.5", 6379));
    }

    @Test
    void badValuesNameTheKeyAndTheFix() {
        List<Object[]> cases = List.of(
                new Object[] {config("hotline.redis.mode", "replicated"), "hotline.redis.mode", "standalone, sentinel or cluster"},
                new Object[] {config("hotline.redis.nodes", "a:1,b:2"), "hotline.redis.nodes", "standalone mode takes one"},
                new Object[] {config("hotline.redis.nodes", "host:99999"), "hotline.redis.nodes", "1-65535"},
                new Object[] {config("hotline.redis.nodes", "bad host:1"), "hotline.redis.nodes", "host:port pairs"},
                new Object[] {config("hotline.redis.nodes", "h:x"), "hotline.redis.nodes", "ports are 1-65535"},
                new Object[] {config("hotline.redis.mode", "sentinel"), "hotline.redis.sentinel-master", "master name"},
                new Object[] {config("hotline.redis.sentinel-master", "m"), "hotline.redis.sentinel-master", "mode to sentinel"},
                new Object[] {config("hotline.redis.user", "u"), "hotline.redis.password", "needs its password"},
                new Object[] {config("hotline.redis.timeout", "0s"), "hotline.redis.timeout", "more than zero"},
                new Object[] {config("hotline.redis.timeout", "soon"), "hotline.redis.timeout", "not a duration"},
                new Object[] {config("hotline.redis.key-prefix", "a{b}"), "hotline.redis.key-prefix", "no braces"},
                new Object[] {config("hotline.redis.tls.enabled", "maybe"), "hotline.redis.tls.enabled", "true or false"},
                new Object[] {config("hotline.redis.tls.enabled", "true", "hotline.redis.tls.cafile", "/no/such.pem"),
                        "hotline.redis.tls.cafile", "cannot be read"});
        for (Object[] c : cases) {
            assertThatThrownBy(() -> RedisSettings.home((HotlineConfig) c[0])).as("%s", c[1])
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining((String) c[1])
                    .hasMessageContaining((String) c[2]);
        }
    }

    @Test
    void badRemotesNameTheKey() {
        assertThatThrownBy(() -> RedisSettings.remotes(config("hotline.redis.remotes", "a b"), HOME))
                .hasMessageContaining("hotline.redis.remotes").hasMessageContaining("aliases");
        assertThatThrownBy(() -> RedisSettings.remotes(config("hotline.redis.remotes", "az2"), HOME))
                .hasMessageContaining("hotline.redis.remote.az2.zone").hasMessageContaining("is missing");
        assertThatThrownBy(() -> RedisSettings.remotes(config("hotline.redis.remotes", "az2",
                "hotline.redis.remote.az2.zone", HOME.path()), HOME))
                .hasMessageContaining("home zone");
        assertThatThrownBy(() -> RedisSettings.remotes(config("hotline.redis.remotes", "az2",
                "hotline.redis.remote.az2.zone", "a//b"), HOME))
                .hasMessageContaining("not a zone path");
        assertThatThrownBy(() -> RedisSettings.remotes(config("hotline.redis.remotes", "az2",
                "hotline.redis.remote.az2.zone", "az-2", "hotline.redis.remote.az2.mode", "x"), HOME))
                .hasMessageContaining("hotline.redis.remote.az2.mode");
    }

    @Test
    void neverRepeatsThePassword() {
        assertThatThrownBy(() -> RedisSettings.home(config("hotline.redis.user", "app", "hotline.redis.password",
                "s3cret-pw", "hotline.redis.nodes", "a:1,b:2")))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret-pw"));
        assertThat(RedisSettings.home(config("hotline.redis.user", "app", "hotline.redis.password", "s3cret-pw"))
                .toString()).doesNotContain("s3cret-pw");
    }

    @Test
    void aClientCertificateNeedsItsKeyAndTls(@TempDir Path pki) throws Exception {
        Certificates.selfSigned(pki, "client", "hotline", null);
        Certificates.selfSigned(pki, "other", "other", null);
        String cert = pki.resolve("client-cert.pem").toString();
        String key = pki.resolve("client-key.pem").toString();
        RedisSettings s = RedisSettings.home(config("hotline.redis.tls.enabled", "true", "hotline.redis.tls.certfile",
                cert, "hotline.redis.tls.keyfile", key));
        assertThat(s.certFile()).contains(Path.of(cert));
        assertThat(s.keyFile()).contains(Path.of(key));
        List<Object[]> cases = List.of(
                new Object[] {config("hotline.redis.tls.enabled", "true", "hotline.redis.tls.certfile", cert),
                        "hotline.redis.tls.certfile", "set both or neither"},
                new Object[] {config("hotline.redis.tls.enabled", "true", "hotline.redis.tls.keyfile", key),
                        "hotline.redis.tls.keyfile", "is set without hotline.redis.tls.certfile"},
                new Object[] {config("hotline.redis.tls.certfile", cert, "hotline.redis.tls.keyfile", key),
                        "hotline.redis.tls.certfile", "enable TLS"},
                new Object[] {config("hotline.redis.tls.enabled", "true", "hotline.redis.tls.certfile", "/no/such.pem",
                        "hotline.redis.tls.keyfile", key), "hotline.redis.tls.certfile", "cannot be read"},
                new Object[] {config("hotline.redis.tls.enabled", "true", "hotline.redis.tls.certfile", cert,
                        "hotline.redis.tls.keyfile", pki.resolve("other-key.pem").toString()),
                        "hotline.redis.tls.keyfile", "does not match certificate file " + cert});
        for (Object[] c : cases) {
            assertThatThrownBy(() -> RedisSettings.home((HotlineConfig) c[0])).as("%s", c[2])
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining((String) c[1])
                    .hasMessageContaining((String) c[2]);
        }
        assertThatThrownBy(() -> RedisSettings.remotes(config("hotline.redis.remotes", "az2",
                "hotline.redis.remote.az2.zone", "region-one/az-2", "hotline.redis.remote.az2.tls.enabled", "true",
                "hotline.redis.remote.az2.tls.certfile", cert), HOME))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hotline.redis.remote.az2.tls.certfile")
                .hasMessageContaining("hotline.redis.remote.az2.tls.keyfile");
    }
}

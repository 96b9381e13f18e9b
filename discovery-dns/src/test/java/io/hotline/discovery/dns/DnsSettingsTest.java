package io.hotline.discovery.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DnsSettingsTest {

    private static final String SECRET = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ==";

    @TempDir
    Path dir;

    private static HotlineConfig config(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("hotline.dns.domain", "rpc.example");
        m.put("hotline.dns.tsig-key-name", "hotline-az1");
        m.put("hotline.dns.tsig-secret", SECRET);
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] == null) {
                m.remove(kv[i]);
            } else {
                m.put(kv[i], kv[i + 1]);
            }
        }
        return HotlineConfig.of(m);
    }

    @Test
    void defaultsAndAbsoluteDomain() {
        DnsSettings s = DnsSettings.home(config());
        assertThat(s.domain().toString()).isEqualTo("rpc.example.");
        assertThat(s.server().getPort()).isEqualTo(53);
        assertThat(s.readOnly()).isFalse();
        assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.pollInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.tsig().orElseThrow().algorithm()).isEqualTo("hmac-sha256");
        assertThat(s.toString()).doesNotContain(SECRET).contains("hotline-az1.");
    }

    @Test
    void writingNeedsAKeyAndSaysWhichKeysToSet() {
        assertThatThrownBy(() -> DnsSettings.home(config("hotline.dns.tsig-key-name", null,
                "hotline.dns.tsig-secret", null)))
                .hasMessageContaining("hotline.dns.tsig-key-name").hasMessageContaining("read-only");
        assertThat(DnsSettings.home(config("hotline.dns.tsig-key-name", null, "hotline.dns.tsig-secret", null,
                "hotline.dns.mode", "read-only")).readOnly()).isTrue();
    }

    @Test
    void badValuesNameTheirKeyAndNeverTheSecret() {
        assertThatThrownBy(() -> DnsSettings.home(config("hotline.dns.domain", null)))
                .hasMessageContaining("hotline.dns.domain").hasMessageContaining("missing");
        assertThatThrownBy(() -> DnsSettings.home(config("hotline.dns.server", "ns:99999")))
                .hasMessageContaining("hotline.dns.server").hasMessageContaining("1-65535");
        assertThatThrownBy(() -> DnsSettings.home(config("hotline.dns.mode", "rw")))
                .hasMessageContaining("hotline.dns.mode");
        assertThatThrownBy(() -> DnsSettings.home(config("hotline.dns.tsig-algorithm", "hmac-md5")))
                .hasMessageContaining("hotline.dns.tsig-algorithm");
        assertThatThrownBy(() -> DnsSettings.home(config("hotline.dns.tsig-secret", "not base64 " + SECRET)))
                .hasMessageContaining("hotline.dns.tsig-secret").hasMessageContaining("base64")
                .message().doesNotContain(SECRET);
        assertThatThrownBy(() -> DnsSettings.home(config("hotline.dns.tsig-secret", "c2hvcnQ=")))
                .hasMessageContaining("at least 16");
        assertThatThrownBy(() -> DnsSettings.home(config("hotline.dns.poll-interval", "0s")))
                .hasMessageContaining("hotline.dns.poll-interval");
        assertThatThrownBy(() -> DnsSettings.home(config("hotline.dns.srv-name", "_x._tcp.{zone}")))
                .hasMessageContaining("{service}");
    }

    @Test
    void aSecretFileMustBeTheOwnersAlone() throws Exception {
        Path file = dir.resolve("az1.key");
        Files.writeString(file, "key \"hotline-az1\" {\n\talgorithm hmac-sha256;\n\tsecret \"" + SECRET + "\";\n};\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        HotlineConfig withFile = config("hotline.dns.tsig-secret", null, "hotline.dns.tsig-secret-file", file.toString());
        assertThatThrownBy(() -> DnsSettings.home(withFile)).hasMessageContaining("chmod 600")
                .message().doesNotContain(SECRET);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThat(DnsSettings.home(withFile).tsig()).isPresent();
        Files.writeString(file, SECRET + "\n");
        assertThat(DnsSettings.home(withFile).tsig()).isPresent();
        assertThatThrownBy(() -> DnsSettings.home(config("hotline.dns.tsig-secret-file", file.toString())))
                .hasMessageContaining("both set");
    }

    @Test
    void remotesInheritTheDomainAndRefuseTheHomeZone() {
        HotlineConfig c = config("hotline.dns.remotes", "az2", "hotline.dns.remote.az2.zone", "region-one/az-2",
                "hotline.dns.remote.az2.server", "127.0.0.1:5300", "hotline.dns.remote.az2.mode", "read-only");
        Map<Zone, DnsSettings> remotes = DnsSettings.remotes(c, Zone.of("region-one/az-1"), DnsSettings.home(c));
        DnsSettings az2 = remotes.get(Zone.of("region-one/az-2"));
        assertThat(az2.domain().toString()).isEqualTo("rpc.example.");
        assertThat(az2.server().getPort()).isEqualTo(5300);
        assertThat(az2.keys()).isEqualTo("hotline.dns.remote.az2.");
        HotlineConfig same = config("hotline.dns.remotes", "az1", "hotline.dns.remote.az1.zone", "region-one/az-1");
        assertThatThrownBy(() -> DnsSettings.remotes(same, Zone.of("region-one/az-1"), DnsSettings.home(same)))
                .hasMessageContaining("home zone");
    }
}

package io.hotline.discovery.keystone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeystoneSettingsTest {

    private static final String PASSWORD = "pw-Do-Not-Show-1";

    @TempDir
    Path dir;

    private static HotlineConfig config(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("hotline.keystone.auth-url", "https://keystone.example:5000");
        m.put("hotline.keystone.username", "hotline");
        m.put("hotline.keystone.password", PASSWORD);
        m.put("hotline.keystone.project-name", "service");
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
    void defaultsAsKeystoneAuthtokenHasThem() {
        KeystoneSettings s = KeystoneSettings.home(config());
        assertThat(s.authUrl()).isEqualTo(URI.create("https://keystone.example:5000/v3"));
        assertThat(s.credentials()).isEqualTo(new KeystoneSettings.Password("hotline", "Default", PASSWORD,
                Optional.of("service"), "Default"));
        assertThat(s.catalogMode()).isFalse();
        assertThat(s.endpointInterface()).isEqualTo("internal");
        assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.pollInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.toString()).doesNotContain(PASSWORD).contains("user hotline");
    }

    @Test
    void theKeystoneSectionOfAnIniFileUsesKeystoneAuthtokenNames() throws Exception {
        Path ini = dir.resolve("nova.conf");
        Files.writeString(ini, """
                [keystone]
                auth_url = http://controller:5000/v3/
                username = nova
                password = %s
                user_domain_name = users
                project_name = service
                project_domain_name = projects
                interface = public
                poll_interval = 5s
                root_regions = region-one, region-two
                """.formatted(PASSWORD));
        KeystoneSettings s = KeystoneSettings.home(HotlineConfig.fromFile(ini));
        assertThat(s.authUrl()).isEqualTo(URI.create("http://controller:5000/v3"));
        assertThat(s.credentials()).isEqualTo(new KeystoneSettings.Password("nova", "users", PASSWORD,
                Optional.of("service"), "projects"));
        assertThat(s.endpointInterface()).isEqualTo("public");
        assertThat(s.pollInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.roots()).containsExactly("region-one", "region-two");
    }

    @Test
    void aSystemScopeReplacesTheProject() {
        KeystoneSettings.Password p = (KeystoneSettings.Password) KeystoneSettings.home(config(
                "hotline.keystone.project-name", null, "hotline.keystone.system-scope", "all")).credentials();
        assertThat(p.auth()).containsEntry("scope", Map.of("system", Map.of("all", true)));
        assertThatThrownBy(() -> KeystoneSettings.home(config("hotline.keystone.system-scope", "all")))
                .hasMessageContaining("hotline.keystone.project-name").hasMessageContaining("is set beside");
        assertThatThrownBy(() -> KeystoneSettings.home(config("hotline.keystone.project-name", null,
                "hotline.keystone.system-scope", "domain")))
                .hasMessageContaining("hotline.keystone.system-scope").hasMessageContaining("only system scope");
        assertThatThrownBy(() -> KeystoneSettings.home(config("hotline.keystone.project-name", null)))
                .hasMessageContaining("hotline.keystone.project-name").hasMessageContaining("is missing");
    }

    @Test
    void anApplicationCredentialNeedsItsSecretAndNoPassword() {
        KeystoneSettings s = KeystoneSettings.home(config("hotline.keystone.username", null,
                "hotline.keystone.password", null, "hotline.keystone.project-name", null,
                "hotline.keystone.application-credential-id", "abc",
                "hotline.keystone.application-credential-secret", PASSWORD));
        assertThat(s.credentials()).isInstanceOf(KeystoneSettings.ApplicationCredential.class);
        assertThat(s.toString()).contains("application credential abc").doesNotContain(PASSWORD);
        assertThatThrownBy(() -> KeystoneSettings.home(config("hotline.keystone.application-credential-id", "abc",
                "hotline.keystone.application-credential-secret", PASSWORD)))
                .hasMessageContaining("beside an application credential").hasMessageNotContaining(PASSWORD);
        assertThatThrownBy(() -> KeystoneSettings.home(config("hotline.keystone.application-credential-id", "abc")))
                .hasMessageContaining("hotline.keystone.application-credential-secret").hasMessageContaining("is missing");
    }

    @Test
    void badValuesAreNamedWithTheirKeyAndSecretsNeverShown() {
        assertThatThrownBy(() -> KeystoneSettings.home(config("hotline.keystone.auth-url", null)))
                .hasMessageContaining("hotline.keystone.auth-url").hasMessageContaining("is missing");
        assertThatThrownBy(() -> KeystoneSettings.home(config("hotline.keystone.auth-url", "ftp://x/v3")))
                .hasMessageContaining("not an http or https address");
        assertThatThrownBy(() -> KeystoneSettings.home(config("hotline.keystone.auth-url", "http://a b")))
                .hasMessageContaining("is not an address");
        assertThatThrownBy(() -> KeystoneSettings.home(config("hotline.keystone.mode", "readonly")))
                .hasMessageContaining("hotline.keystone.mode").hasMessageContaining("catalog");
        assertThatThrownBy(() -> KeystoneSettings.home(config("hotline.keystone.interface", "private")))
                .hasMessageContaining("public, internal or admin");
        assertThatThrownBy(() -> KeystoneSettings.home(config("hotline.keystone.root-regions", "a.b")))
                .hasMessageContaining("hotline.keystone.root-regions");
        assertThatThrownBy(() -> KeystoneSettings.home(config("hotline.keystone.poll-interval", "0s")))
                .hasMessageContaining("hotline.keystone.poll-interval");
        assertThatThrownBy(() -> KeystoneSettings.home(config("hotline.keystone.cafile", "/nonexistent/ca.pem")))
                .hasMessageContaining("hotline.keystone.cafile").hasMessageContaining("cannot be read");
        assertThatThrownBy(() -> KeystoneSettings.home(config("hotline.keystone.username", null)))
                .hasMessageContaining("hotline.keystone.username").hasMessageNotContaining(PASSWORD);
        assertThatThrownBy(() -> KeystoneSettings.home(config("hotline.keystone.password", "")))
                .hasMessageContaining("hotline.keystone.password").hasMessageContaining("is missing");
    }

    @Test
    void remotesHaveTheirOwnZoneAndKeystone() {
        Map<Zone, KeystoneSettings> remotes = KeystoneSettings.remotes(config(
                "hotline.keystone.remotes", "two",
                "hotline.keystone.remote.two.zone", "region-two",
                "hotline.keystone.remote.two.auth-url", "http://keystone-two:5000",
                "hotline.keystone.remote.two.username", "reader",
                "hotline.keystone.remote.two.password", PASSWORD,
                "hotline.keystone.remote.two.system-scope", "all"), Zone.of("region-one/az-1"));
        assertThat(remotes).containsOnlyKeys(Zone.of("region-two"));
        assertThat(remotes.get(Zone.of("region-two")).authUrl()).isEqualTo(URI.create("http://keystone-two:5000/v3"));
        assertThatThrownBy(() -> KeystoneSettings.remotes(config("hotline.keystone.remotes", "two",
                "hotline.keystone.remote.two.zone", "region-one"), Zone.of("region-one/az-1")))
                .hasMessageContaining("overlaps this store's home zone");
        assertThatThrownBy(() -> KeystoneSettings.remotes(config("hotline.keystone.remotes", "t w o"),
                Zone.of("region-one")))
                .hasMessageContaining("aliases are");
        assertThat(KeystoneSettings.remotes(config(), Zone.of("region-one"))).isEqualTo(Map.of());
    }
}

package io.hotline.discovery.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.Zone;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HotlineConfigIniTest {

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void readsTheProposalsSectionsAsTheyAre() throws IOException {
        Path file = write("nova.conf", """
                # written for oslo.config
                [DEFAULT]
                transport_url = http://

                [oslo_messaging_http]
                port_range = 20000:20100
                zone = region-one/az-1
                store = Consul

                [consul]
                host = 127.0.0.1
                port = 8500
                token = 3f6b8c1e-consul
                check_timeout = 60s
                check_deregister = 30m

                [http_driver]
                http_token = 9a0e-http
                enable_ssl = True
                ssl_certfile = /etc/pki/cert.pem
                ssl_keyfile = /etc/pki/key.pem
                listen_timeout = 30
                http_api_config_file = /etc/nova/api-paste.ini
                """);
        HotlineConfig c = HotlineConfig.fromFile(file);

        assertThat(c.string("hotline.transport-url")).contains("http://");
        assertThat(c.string("hotline.http.port-range")).contains("20000:20100");
        assertThat(c.zone()).isEqualTo(Zone.of("region-one/az-1"));
        assertThat(c.storeName()).isEqualTo("consul");
        assertThat(c.string("hotline.consul.host")).contains("127.0.0.1");
        assertThat(c.integer("hotline.consul.port", 0)).isEqualTo(8500);
        assertThat(c.string("hotline.consul.token")).contains("3f6b8c1e-consul");
        assertThat(c.duration("hotline.consul.check-timeout", null)).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.duration("hotline.consul.check-deregister", null)).isEqualTo(Duration.ofMinutes(30));
        assertThat(c.string("hotline.http.token")).contains("9a0e-http");
        assertThat(c.flag("hotline.http.tls.enabled", false)).isTrue();
        assertThat(c.string("hotline.http.tls.certfile")).contains("/etc/pki/cert.pem");
        assertThat(c.string("hotline.http.tls.keyfile")).contains("/etc/pki/key.pem");
        assertThat(c.duration("hotline.http.listen-timeout", null)).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.string("hotline.http.api-config-file")).contains("/etc/nova/api-paste.ini");

        assertThat(c.sourceOf("hotline.http.token")).isEqualTo("file " + file + " [http_driver] http_token");
        assertThat(c.sourceOf("hotline.consul.check-timeout")).isEqualTo("file " + file + " [consul] check_timeout");
        assertThat(c.sourceOf("hotline.transport-url")).isEqualTo("file " + file + " [DEFAULT] transport_url");
        assertThat(c.sourceOf("hotline.unset")).isEqualTo("default");
    }

    @Test
    void badValuesFromAnIniFileNameTheOptionButNotASecret() throws IOException {
        Path file = write("h.ini", """
                [http_driver]
                listen_timeout = soon
                http_token = s3cret
                """);
        HotlineConfig c = HotlineConfig.fromFile(file);
        assertThatThrownBy(() -> c.duration("hotline.http.listen-timeout", null))
                .hasMessageStartingWith("hotline.http.listen-timeout 'soon' (from file " + file
                        + " [http_driver] listen_timeout) is not a duration");
        assertThat(c.invalid("hotline.http.token", "is refused").getMessage())
                .contains("[http_driver] http_token").doesNotContain("s3cret");
    }

    @Test
    void otherSectionsAreKeptForStorePluginsAndAHotlineSectionDropsItsName() throws IOException {
        HotlineConfig c = HotlineConfig.fromFile(write("h.cfg", """
                [redis]
                sentinel_master = mymaster
                [Keystone]
                auth_url = http://keystone:5000/v3
                [oslo_messaging_http]
                retry_count = 3
                [DEFAULT]
                debug = true
                [hotline]
                file.poll_interval = 250ms
                memory.space = shared
                """));
        assertThat(c.string("hotline.redis.sentinel-master")).contains("mymaster");
        assertThat(c.string("hotline.keystone.auth-url")).contains("http://keystone:5000/v3");
        assertThat(c.string("hotline.oslo-messaging-http.retry-count")).contains("3");
        assertThat(c.string("hotline.default.debug")).contains("true");
        assertThat(c.duration("hotline.file.poll-interval", null)).isEqualTo(Duration.ofMillis(250));
        assertThat(c.string("hotline.memory.space")).contains("shared");
        assertThat(c.sourceOf("hotline.keystone.auth-url")).endsWith("h.cfg [keystone] auth_url");
    }

    @Test
    void dollarsAreTakenLiterally() throws IOException {
        HotlineConfig c = HotlineConfig.fromFile(write("h.ini", """
                [http_driver]
                http_token = pa$$word
                ssl_certfile = ${x}
                ssl_keyfile = $state_path/key.pem
                [consul]
                token = "${sys:user.home}"
                """));
        assertThat(c.string("hotline.http.token")).contains("pa$$word");
        assertThat(c.string("hotline.http.tls.certfile")).contains("${x}");
        assertThat(c.string("hotline.http.tls.keyfile")).contains("$state_path/key.pem");
        assertThat(c.string("hotline.consul.token")).contains("${sys:user.home}");
    }

    @Test
    void quotesCommentsAndRepeatsReadAsDocumented() throws IOException {
        HotlineConfig c = HotlineConfig.fromFile(write("h.ini", """
                ; a comment
                [http_driver]
                http_token = "a ;b"
                ssl_certfile = /etc/pki/cert.pem   # after a space, a comment
                ssl_keyfile = /etc/pki/key#1.pem
                listen_timeout = 10
                listen_timeout = 20
                """));
        assertThat(c.string("hotline.http.token")).contains("a ;b");
        assertThat(c.string("hotline.http.tls.certfile")).contains("/etc/pki/cert.pem");
        assertThat(c.string("hotline.http.tls.keyfile")).contains("/etc/pki/key#1.pem");
        assertThat(c.duration("hotline.http.listen-timeout", null)).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void flagsAcceptOsloBooleans() throws IOException {
        HotlineConfig c = HotlineConfig.fromFile(write("h.ini", """
                [flags]
                a = True
                b = FALSE
                c = yes
                d = No
                e = 1
                f = 0
                g = on
                h = Off
                i = maybe
                j =
                """));
        assertThat(c.flag("hotline.flags.a", false)).isTrue();
        assertThat(c.flag("hotline.flags.b", true)).isFalse();
        assertThat(c.flag("hotline.flags.c", false)).isTrue();
        assertThat(c.flag("hotline.flags.d", true)).isFalse();
        assertThat(c.flag("hotline.flags.e", false)).isTrue();
        assertThat(c.flag("hotline.flags.f", true)).isFalse();
        assertThat(c.flag("hotline.flags.g", false)).isTrue();
        assertThat(c.flag("hotline.flags.h", true)).isFalse();
        assertThat(c.flag("hotline.flags.j", true)).isTrue();
        assertThatThrownBy(() -> c.flag("hotline.flags.i", false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("hotline.flags.i 'maybe' (from file " + dir.resolve("h.ini") + " [flags] i) "
                        + "is not true or false");
    }

    @Test
    void contentDecidesWhateverTheName() throws IOException {
        Path ini = write("hotline.properties", """

                # oslo files open with a section
                [oslo_messaging_http]
                store = memory
                """);
        assertThat(HotlineConfig.fromFile(ini).storeName()).isEqualTo("memory");
        assertThat(HotlineConfig.fromFile(ini).sourceOf("hotline.store")).endsWith("[oslo_messaging_http] store");

        Path props = write("hotline", "# [not a section]\nhotline.store=memory\nhotline.zone=az-1\n");
        HotlineConfig c = HotlineConfig.fromFile(props);
        assertThat(c.storeName()).isEqualTo("memory");
        assertThat(c.zone()).isEqualTo(Zone.of("az-1"));
        assertThat(c.sourceOf("hotline.store")).isEqualTo("file " + props);
    }

    @Test
    void malformedFilesNameTheLineButNeverQuoteIt() throws IOException {
        Path file = write("nova.conf", """
                [DEFAULT]
                debug = true

                [http_driver
                http_token = s3cret
                """);
        assertThatThrownBy(() -> HotlineConfig.fromFile(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot read Hotline configuration file " + file
                        + ": line 4: the section header does not end with ']'");

        assertThat(problem("[http_driver http_token = s3cret]x\n")).isEqualTo("line 1: the section header does not end with ']'");
        assertThat(problem("[ ]\nhttp_token = s3cret\n")).isEqualTo("line 1: the section header has no name");
        assertThat(problem("[http_driver]\nhttp_token s3cret\n")).isEqualTo("line 2: expected 'option = value'");
        assertThat(problem("[http_driver]\n= s3cret\n")).isEqualTo("line 2: the option has no name");
        assertThat(problem("[http_driver]\nhttp_token = s3\n  cret\n")).startsWith("line 3: the line is indented;");
        assertThat(problem("http_token = s3cret\n[http_driver]\n")).startsWith("line 1: an option before the first");
        assertThat(problem("[hotline]\nhttp.token = s3cret\n[http_driver]\nhttp_token = s3cret\n"))
                .isEqualTo("[hotline] http.token and [http_driver] http_token both set hotline.http.token; keep one");
    }

    private String problem(String text) throws IOException {
        Path file = write("bad.ini", text);
        String prefix = "cannot read Hotline configuration file " + file + ": ";
        try {
            HotlineConfig.fromFile(file);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith(prefix).doesNotContain("s3cret", "cret");
            return e.getMessage().substring(prefix.length());
        }
        throw new AssertionError("read without complaint: " + text);
    }

    @Test
    void loadReadsAnIniFileNamedBySystemPropertyAndPropertiesStillWin() throws IOException {
        Path file = write("nova.conf", """
                [oslo_messaging_http]
                zone = from-file
                store = memory
                [http_driver]
                listen_timeout = 45
                """);
        System.setProperty("hotline.config", file.toString());
        System.setProperty("hotline.zone", "from-property");
        try {
            HotlineConfig c = HotlineConfig.load();
            assertThat(c.zone()).isEqualTo(Zone.of("from-property"));
            assertThat(c.sourceOf("hotline.zone")).isEqualTo("system property");
            assertThat(c.storeName()).isEqualTo("memory");
            assertThat(c.sourceOf("hotline.store")).isEqualTo("file " + file + " [oslo_messaging_http] store");
            assertThat(c.duration("hotline.http.listen-timeout", null)).isEqualTo(Duration.ofSeconds(45));

            Files.writeString(file, "[http_driver\nhttp_token = s3cret\n");
            assertThatThrownBy(HotlineConfig::load).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("cannot read Hotline configuration file " + file + ": line 1: the section header "
                            + "does not end with ']'; hotline.config (from system property) names it");
        } finally {
            System.clearProperty("hotline.config");
            System.clearProperty("hotline.zone");
        }
    }
}

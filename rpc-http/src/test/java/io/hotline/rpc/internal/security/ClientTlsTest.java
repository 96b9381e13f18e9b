package io.hotline.rpc.internal.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.config.HotlineConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClientTlsTest {

    @Test
    void nothingSetIsTheJdksDefaults() {
        ClientTls tls = ClientTls.from(HotlineConfig.of(Map.of("hotline.http.tls.cafile", "")));
        assertThat(tls.isSet()).isFalse();
        assertThat(tls.caFile()).isEmpty();
    }

    @Test
    void readsTheThreeFiles() {
        ClientTls tls = ClientTls.from(HotlineConfig.of(Map.of("hotline.http.tls.cafile", "/etc/ca.pem",
                "hotline.http.tls.client-certfile", "/etc/c.pem", "hotline.http.tls.client-keyfile", "/etc/k.pem")));
        assertThat(tls).isEqualTo(new ClientTls(Optional.of(Path.of("/etc/ca.pem")), Optional.of(Path.of("/etc/c.pem")),
                Optional.of(Path.of("/etc/k.pem"))));
        assertThat(tls.isSet()).isTrue();
    }

    @Test
    void aCertificateWithoutItsKeyOrAKeyWithoutItsCertificateIsRefusedNamingTheMissingKey() {
        assertThatThrownBy(() -> ClientTls.from(HotlineConfig.of(Map.of("hotline.http.tls.client-certfile", "/c.pem"))))
                .hasMessageContaining("hotline.http.tls.client-certfile").hasMessageContaining("needs its partner");
        assertThatThrownBy(() -> ClientTls.from(HotlineConfig.of(Map.of("hotline.http.tls.client-keyfile", "/k.pem"))))
                .hasMessageContaining("hotline.http.tls.client-keyfile").hasMessageContaining("needs its partner");
    }
}

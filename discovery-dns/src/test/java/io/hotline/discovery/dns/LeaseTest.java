package io.hotline.discovery.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.HealthPolicy;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LeaseTest {

    @Test
    void roundTripsAndEachRenewalDiffers() {
        HealthPolicy p = HealthPolicy.of(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofMinutes(30));
        Lease a = Lease.fresh(p, Instant.ofEpochMilli(1_700_000_000_123L));
        assertThat(Lease.parse(a.text())).isEqualTo(a);
        assertThat(Lease.fresh(p, a.at()).text()).isNotEqualTo(a.text());
    }

    @Test
    void foreignTextIsRefused() {
        assertThatThrownBy(() -> Lease.parse("v=2 anything")).hasMessage("not a Hotline lease");
    }
}

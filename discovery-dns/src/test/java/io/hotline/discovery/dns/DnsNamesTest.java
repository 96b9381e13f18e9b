package io.hotline.discovery.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.Zone;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;

class DnsNamesTest {

    private final DnsNames names = new DnsNames(Name.fromConstantString("rpc.example."));

    @Test
    void zonesHangUnderTheDomainInReverse() {
        assertThat(names.zoneDomain(Zone.of("region-one/az-1")).toString()).isEqualTo("az-1.region-one.rpc.example.");
    }

    @Test
    void escapingKeepsCaseAndIsReversible() {
        assertThat(DnsNames.escape("nova.Conductor")).isEqualTo("nova_2e_43onductor");
        for (String s : new String[] {"nova.conductor", "nova.Conductor", "a_b", "_x", "x_", "A-Z.0_9"}) {
            assertThat(DnsNames.unescape(DnsNames.escape(s))).isEqualTo(s);
        }
        assertThat(names.serviceName("nova.Conductor", Zone.LOCAL))
                .isNotEqualTo(names.serviceName("nova.conductor", Zone.LOCAL));
    }

    @Test
    void serviceAndInstanceNames() {
        Name service = names.serviceName("nova.conductor", Zone.of("region-one/az-1"));
        assertThat(service.toString()).isEqualTo("_nova_2econductor._hotline._tcp.az-1.region-one.rpc.example.");
        Name instance = names.instanceName("nova.conductor", "10.0.0.7:20001", Zone.of("region-one/az-1"));
        assertThat(instance.getLabelString(0)).startsWith("i-").hasSize(28);
        assertThat(new Name(instance, 1)).isEqualTo(service);
        assertThat(DnsNames.isInstanceName(instance)).isTrue();
        assertThat(DnsNames.isInstanceName(service)).isFalse();
        assertThat(DnsNames.instanceOfLease(DnsNames.leaseName(instance))).isEqualTo(instance);
    }

    @Test
    void instanceAndLeaseNamesAreKnownByTheirLabelsExactly() throws Exception {
        String service = "._svc._hotline._tcp.az-1.rpc.example.";
        assertThat(DnsNames.isInstanceName(Name.fromString("i-abc._svc._HOTLINE._Tcp.az-1.rpc.example."))).isTrue();
        assertThat(DnsNames.isInstanceName(Name.fromString("i" + service))).isFalse();
        assertThat(DnsNames.isInstanceName(Name.fromString("I-abc" + service))).isFalse();
        assertThat(DnsNames.isInstanceName(Name.fromString("i-abc.svc._hotline._tcp.az-1.rpc.example."))).isFalse();
        assertThat(DnsNames.isInstanceName(Name.fromString("i-abc._svc._hotlines._tcp.az-1.rpc.example."))).isFalse();
        assertThat(DnsNames.instanceOfLease(Name.fromString("_lease.i-abc" + service)))
                .isEqualTo(Name.fromString("i-abc" + service));
        assertThat(DnsNames.instanceOfLease(Name.fromString("_leases.i-abc" + service))).isNull();
        assertThat(DnsNames.instanceOfLease(Name.fromString("_leas.i-abc" + service))).isNull();
        assertThat(DnsNames.instanceOfLease(Name.fromString("_LEASE.i-abc" + service))).isNull();
    }

    @Test
    void longServicesAreHashedAndStayDistinct() {
        String a = "s".repeat(128);
        String b = "s".repeat(127) + "S";
        assertThat(DnsNames.serviceLabel(a)).startsWith("h-");
        assertThat(names.serviceName(a, Zone.LOCAL)).isNotEqualTo(names.serviceName(b, Zone.LOCAL));
    }

    @Test
    void aSegmentTooLongOnceEscapedIsRefusedSayingWhy() {
        assertThatThrownBy(() -> names.zoneDomain(Zone.of("A".repeat(40))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DNS label holds at most 63");
    }
}

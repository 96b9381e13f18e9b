package io.hotline.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CapabilityFilterTest {

    private static Endpoint with(String... keyValues) {
        Endpoint.Builder b = Endpoint.builder("nova.compute").host("127.0.0.1").port(1);
        for (int i = 0; i < keyValues.length; i += 2) {
            b.metadata(keyValues[i], keyValues[i + 1]);
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} on {1}={2} -> {3}")
    @CsvSource({
        "free_disk_gb>=100, free_disk_gb, 250, true",
        "free_disk_gb>=100, free_disk_gb, 100.0, true",
        "free_disk_gb>=100, free_disk_gb, 99, false",
        "free_disk_gb>=100, free_disk_gb, 9e3, true",
        "free_disk_gb>=100, free_disk_gb, lots, false",
        "vcpus<8, vcpus, 10, false",
        "vcpus<10, vcpus, 9, true",
        "vcpus==8, vcpus, 8.00, true",
        "vcpus!=8, vcpus, 7, true",
        "hypervisor==kvm, hypervisor, kvm, true",
        "hypervisor==kvm, hypervisor, KVM, false",
        "hypervisor!=kvm, hypervisor, xen, true",
        "accept_migrations==true, accept_migrations, TRUE, true",
        "accept_migrations==true, accept_migrations, false, false",
        "accept_migrations==true, accept_migrations, yes, false",
        "accept_migrations!=false, accept_migrations, true, true",
    })
    void comparesByTheTypeOfTheExpectedValue(String expression, String key, String value, boolean expected) {
        assertThat(CapabilityFilter.parse(expression).test(with(key, value))).isEqualTo(expected);
    }

    @Test
    void aMissingKeyMatchesNoOperator() {
        Endpoint none = with();
        for (String expr : new String[] {"a==1", "a!=1", "a>=1", "a<1", "a==kvm", "a!=kvm"}) {
            assertThat(CapabilityFilter.parse(expr).test(none)).as(expr).isFalse();
        }
    }

    @Test
    void everyRequirementMustHold() {
        CapabilityFilter f = CapabilityFilter.parse(" free_disk_gb >= 100 , hypervisor==kvm ");
        assertThat(f.requirements()).hasSize(2);
        assertThat(f.test(with("free_disk_gb", "200", "hypervisor", "kvm"))).isTrue();
        assertThat(f.test(with("free_disk_gb", "200", "hypervisor", "xen"))).isFalse();
        assertThat(f.toString()).isEqualTo("free_disk_gb>=100, hypervisor==kvm");
        assertThat(f).isEqualTo(CapabilityFilter.parse("free_disk_gb>=100,hypervisor==kvm"));
    }

    @Test
    void blankMeansNoRequirement() {
        assertThat(CapabilityFilter.parse("  ")).isSameAs(CapabilityFilter.NONE);
        assertThat(CapabilityFilter.NONE.test(with())).isTrue();
    }

    @Test
    void badExpressionsSayWhatIsWrong() {
        assertThatThrownBy(() -> CapabilityFilter.parse("free_disk_gb=>100"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'free_disk_gb=>100'")
                .hasMessageContaining("key OP value");
        assertThatThrownBy(() -> CapabilityFilter.parse("a==1,,b==2")).hasMessageContaining("''");
        assertThatThrownBy(() -> CapabilityFilter.parse("hypervisor>=kvm"))
                .hasMessageContaining("not a number");
    }
}

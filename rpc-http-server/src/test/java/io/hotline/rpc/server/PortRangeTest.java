package io.hotline.rpc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PortRangeTest {

    @Test
    void portRangesParseTheProposalsSyntax() {
        assertThat(PortRange.parse("20000:20100")).isEqualTo(new PortRange(20000, 20100));
        assertThat(PortRange.parse("20000:20100").size()).isEqualTo(101);
        assertThat(PortRange.parse("")).isEqualTo(PortRange.EPHEMERAL);
        assertThat(PortRange.parse("8080")).isEqualTo(new PortRange(8080, 8080));
        assertThatThrownBy(() -> PortRange.parse("a:b")).hasMessageContaining("FIRST:LAST");
        assertThatThrownBy(() -> PortRange.parse("20100:20000")).hasMessageContaining("FIRST <= LAST");
        assertThatThrownBy(() -> PortRange.parse("0:70000")).isInstanceOf(IllegalArgumentException.class);
    }
}

package io.hotline.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TargetTest {

    @Test
    void theServiceIsExchangeDotTopic() {
        assertThat(Target.topic("conductor").exchange("nova").service()).isEqualTo("nova.conductor");
        assertThat(Target.topic("conductor").service()).isEqualTo("conductor");
    }

    @Test
    void rejectsBadFieldsSayingWhy() {
        assertThatThrownBy(() -> Target.topic("bad topic")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topic 'bad topic'");
        assertThatThrownBy(() -> Target.topic("t").version("1")).hasMessageContaining("not major.minor");
        assertThatThrownBy(() -> Target.topic("t").server("h").asFanout()).hasMessageContaining("fanout");
        assertThatThrownBy(() -> Target.topic("t").server(" ")).hasMessageContaining("blank");
    }

    @Test
    void versionsAreCompatibleWithinAMajorUpToTheMinor() {
        Version served = Version.parse("1.3");
        assertThat(served.serves(Version.parse("1.0"))).isTrue();
        assertThat(served.serves(Version.parse("1.3"))).isTrue();
        assertThat(served.serves(Version.parse("1.4"))).isFalse();
        assertThat(served.serves(Version.parse("2.0"))).isFalse();
        assertThat(Version.parse(null)).isEqualTo(Version.DEFAULT);
        assertThat(Version.parse("1.10").compareTo(Version.parse("1.9"))).isPositive();
    }

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

    @Test
    void overloadedEndpointMethodsAreRefused() {
        Object overloaded = new Object() {
            @SuppressWarnings("unused")
            public int twice(int x) {
                return 2 * x;
            }

            @SuppressWarnings("unused")
            public String twice(String x) {
                return x + x;
            }
        };
        assertThatThrownBy(() -> new Dispatcher(java.util.List.of(new Dispatcher.Endpoint(null, Version.DEFAULT,
                overloaded)), AccessPolicy.DEFAULT)).hasMessageContaining("several methods named twice");
    }
}

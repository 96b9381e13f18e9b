package io.hotline.rpc.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VersionTest {

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
}

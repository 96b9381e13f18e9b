package io.hotline.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ZoneTest {

    @Test
    void parsesPathsAndKnowsItsAncestors() {
        Zone cell = Zone.of("region-one/az-1/cell-7");
        assertThat(cell.segments()).containsExactly("region-one", "az-1", "cell-7");
        assertThat(cell.depth()).isEqualTo(3);
        assertThat(cell.parent()).contains(Zone.of("region-one/az-1"));
        assertThat(Zone.of("region-one").parent()).isEmpty();
        assertThat(cell.ancestor(1)).isEqualTo(Zone.of("region-one"));
        assertThat(Zone.of("region-one").child("az-2")).isEqualTo(Zone.of("region-one/az-2"));
    }

    @Test
    void nearnessIsTheCommonPrefix() {
        Zone cell = Zone.of("region-one/az-1/cell-7");
        assertThat(cell.commonDepth(Zone.of("region-one/az-1/cell-2"))).isEqualTo(2);
        assertThat(cell.commonDepth(Zone.of("region-one/az-2"))).isEqualTo(1);
        assertThat(cell.commonDepth(Zone.of("region-two/az-1/cell-7"))).isZero();
        assertThat(cell.isWithin(Zone.of("region-one"))).isTrue();
        assertThat(cell.isWithin(cell)).isTrue();
        assertThat(Zone.of("region-one").isWithin(cell)).isFalse();
        assertThat(Zone.of("region-one0").isWithin(Zone.of("region-one"))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/region", "region/", "a//b", "bad zone", "-leading", "a/b/../c", "ü"})
    void rejectsBadPathsSayingWhy(String path) {
        assertThatThrownBy(() -> Zone.of(path)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zone path");
    }

    @Test
    void rejectsTooDeepPaths() {
        assertThatThrownBy(() -> Zone.of("a/".repeat(16) + "a")).hasMessageContaining("at most 16");
    }

    @Test
    void equalityIsByPath() {
        assertThat(Zone.of("a/b")).isEqualTo(Zone.of("a/b")).hasSameHashCodeAs(Zone.of("a/b"));
        assertThat(Zone.of("a/b").toString()).isEqualTo("a/b");
    }
}

package io.hotline.discovery.keystone;

import static org.assertj.core.api.Assertions.assertThat;

import io.hotline.discovery.Zone;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RegionsTest {

    @Test
    void zonesAreRegionsAndBack() {
        Zone z = Zone.of("region-one/az-1/cell_7");
        assertThat(Regions.id(z)).isEqualTo("region-one.az-1.cell_7");
        assertThat(Regions.parentId(z)).contains("region-one.az-1");
        assertThat(Regions.parentId(Zone.of("RegionOne"))).isEmpty();
        assertThat(Regions.zone("region-one.az-1.cell_7", "region-one.az-1")).contains(z);
        assertThat(Regions.zone("RegionOne", null)).contains(Zone.of("RegionOne"));
    }

    @Test
    void regionsThatAreNoZoneAreNotTakenForOne() {
        assertThat(Regions.zone("region-one.az-1", "elsewhere")).isEmpty();
        assertThat(Regions.zone("region-one.az-1", null)).isEmpty();
        assertThat(Regions.zone("Region One", null)).isEmpty();
        assertThat(Regions.zone("a..b", "a")).isEmpty();
        assertThat(Regions.zone("", null)).isEqualTo(Optional.empty());
    }
}

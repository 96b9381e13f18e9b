package io.hotline.discovery.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.Zone;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RemoteZonesTest {

    private static final Zone HOME = Zone.of("region-one/az-1");

    @Test
    void eachAliasIsAZoneWithItsKeys() {
        HotlineConfig c = HotlineConfig.of(Map.of("hotline.x.remotes", " az2 , ,az3",
                "hotline.x.remote.az2.zone", "region-one/az-2", "hotline.x.remote.az3.zone", "region-two"));
        assertThat(RemoteZones.read(c, "hotline.x.", HOME)).containsExactly(
                Map.entry(Zone.of("region-one/az-2"), "hotline.x.remote.az2."),
                Map.entry(Zone.of("region-two"), "hotline.x.remote.az3."));
        assertThat(RemoteZones.read(HotlineConfig.of(Map.of()), "hotline.x.", HOME)).isEmpty();
    }

    @Test
    void badRemotesNameTheKeyToFix() {
        assertThatThrownBy(() -> RemoteZones.read(HotlineConfig.of(Map.of("hotline.x.remotes", "a/b")), "hotline.x.",
                HOME)).hasMessageContaining("hotline.x.remotes").hasMessageContaining("aliases are");
        assertThatThrownBy(() -> RemoteZones.read(HotlineConfig.of(Map.of("hotline.x.remotes", "az2")), "hotline.x.",
                HOME)).hasMessageContaining("hotline.x.remote.az2.zone").hasMessageContaining("missing");
        assertThatThrownBy(() -> RemoteZones.read(HotlineConfig.of(Map.of("hotline.x.remotes", "az2",
                "hotline.x.remote.az2.zone", "not a zone")), "hotline.x.", HOME)).hasMessageContaining("not a zone path");
        assertThatThrownBy(() -> RemoteZones.read(HotlineConfig.of(Map.of("hotline.x.remotes", "az1",
                "hotline.x.remote.az1.zone", HOME.path())), "hotline.x.", HOME)).hasMessageContaining("home zone");
        assertThatThrownBy(() -> RemoteZones.read(HotlineConfig.of(Map.of("hotline.x.remotes", "a,b",
                "hotline.x.remote.a.zone", "z", "hotline.x.remote.b.zone", "z")), "hotline.x.", HOME))
                .hasMessageContaining("another remote");
    }
}

package io.hotline.discovery.file;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import java.util.Map;

/** Run by {@link FileStoreCrossProcessTest} in a second JVM: registers one endpoint in the directory {@code args[0]}. */
public final class RegisterInAnotherProcess {

    private RegisterInAnotherProcess() {}

    public static void main(String[] args) {
        HotlineConfig config = HotlineConfig.of(Map.of("hotline.file.dir", args[0], "hotline.zone", "az-1"));
        try (EndpointStore store = new FileStoreProvider().open(config)) {
            store.register(Endpoint.builder("nova.conductor").id("pid-" + ProcessHandle.current().pid())
                    .host("10.0.0.42").port(20042).zone(Zone.of("az-1")).metadata("by", "child").build(),
                    HealthPolicy.DEFAULT);
        }
    }
}

package io.hotline.rpc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.Directory;
import io.hotline.discovery.Query;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.Target;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Several clients of one process on one {@link Directory} (one cache, one set of store watches): a client built on a
 * shared directory leaves it open when closed, so the others keep working.
 */
class SharedDirectoryTest {

    private static final Target TARGET = Target.topic("conductor").exchange("nova");

    @Test
    void closingOneClientLeavesTheSharedDirectoryToTheOthers() {
        try (EndpointStore store = StoreProviders.load().open(HotlineConfig.of(Map.of("hotline.store", "memory",
                "hotline.memory.space", "shared-" + UUID.randomUUID())));
                RpcServer server = RpcServer.builder(store).target(TARGET.server("host-1")).endpoint(new TestApi("s1"))
                        .drainDelay(Duration.ZERO).start();
                Directory directory = Directory.builder(store).build();
                RpcClient survivor = RpcClient.builder(directory).timeout(Duration.ofSeconds(10)).build()) {
            RpcClient closed = RpcClient.builder(directory).timeout(Duration.ofSeconds(10)).build();
            assertThat(closed.prepare(TARGET).call("echo", Map.of("text", "a"), String.class)).isEqualTo("a");
            assertThat(survivor.prepare(TARGET).call("echo", Map.of("text", "b"), String.class)).isEqualTo("b");

            closed.close();

            assertThat(directory.resolve(Query.of(TARGET.service())).endpoints()).extracting(e -> e.id())
                    .containsExactly(server.endpoint().id());
            assertThat(survivor.prepare(TARGET).call("echo", Map.of("text", "c"), String.class)).isEqualTo("c");
            assertThat(survivor.prepare(TARGET.server("host-1")).call("server", Map.of(), String.class))
                    .isEqualTo("s1");
        }
    }

    @Test
    void aClientOnASharedDirectoryTakesItsZoneAndRefusesAnother() {
        try (EndpointStore store = StoreProviders.load().open(HotlineConfig.of(Map.of("hotline.store", "memory",
                "hotline.memory.space", "shared-" + UUID.randomUUID())));
                Directory directory = Directory.builder(store).build()) {
            Zone other = directory.zone().child("elsewhere");
            assertThatThrownBy(() -> RpcClient.builder(directory).zone(other).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not its shared directory's zone " + directory.zone());
            RpcClient.builder(directory).zone(directory.zone()).build().close();
            assertThat(directory.resolve(Query.of(TARGET.service())).endpoints()).isEmpty();
        }
    }
}

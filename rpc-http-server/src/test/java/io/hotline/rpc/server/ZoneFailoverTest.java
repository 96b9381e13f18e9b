package io.hotline.rpc.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Zone;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.Target;
import io.hotline.rpc.server.testing.RpcFleet;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A call whose nearest zone has only servers that refuse connections (stopped, and the directory has not heard yet)
 * goes to the next zone out, as it will once the directory drops them: the demo's failover on a store whose watches
 * lag the stop (Keystone's poll) failed with "Connection refused" before.
 */
class ZoneFailoverTest {

    private static final Target TARGET = Target.topic("scheduler").exchange("nova");
    private static final Zone AZ2 = Zone.of("region-one/az-2");

    private final RpcFleet fleet = RpcFleet.inMemory();

    @AfterEach
    void close() throws Exception {
        fleet.close();
    }

    @Test
    void aCallWhoseNearestZoneRefusesGoesToTheNextZone() throws Exception {
        fleet.start(fleet.serverBuilder(AZ2).target(TARGET.server("scheduler-2")).endpoint(new TestApi("az-2")));
        // Still listed in the client's own zone, gone: every connection to it is refused.
        fleet.store(RpcFleet.AZ1).register(Endpoint.builder(TARGET.service()).server("scheduler-1").host("127.0.0.1")
                .port(RpcFleet.deadPort()).zone(RpcFleet.AZ1).build(), HealthPolicy.DEFAULT);
        RpcClient client = fleet.client(fleet.clientBuilder(RpcFleet.AZ1));
        for (int i = 0; i < 5; i++) {
            assertThat(client.prepare(TARGET).call("echo", Map.of("text", "vm-" + i), String.class))
                    .isEqualTo("vm-" + i);
        }
    }
}

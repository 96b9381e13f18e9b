package io.hotline.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hotline.broadcaster.Broadcaster;
import io.hotline.discovery.Zone;
import io.hotline.rpc.FanoutReport;
import io.hotline.rpc.server.ListenerSettings;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.server.RpcServer;
import io.hotline.rpc.Target;
import io.hotline.rpc.server.testing.RpcFleet;
import io.hotline.tck.ConsulStoreFixture;
import io.hotline.testing.ConsulAgent;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RPC servers, a client and a broadcaster that find each other only through Consul: each opens its own consul store
 * by name ({@code hotline.store=consul}), as separate processes would.
 */
class ConsulRpcEndToEndIT {

    private static final Target TARGET = Target.topic("conductor").exchange("nova");
    private static final Zone ZONE = Zone.of("dc1");
    private static ConsulAgent agent;

    /** Each store it opens is one a separate process would open, from configuration alone. */
    private final RpcFleet fleet = RpcFleet.over(ConsulStoreFixture.config(agent, ZONE), ZONE);

    /** What a service author writes: public methods, arguments by name. */
    public static final class Conductor {
        final String name;
        final List<String> events = new CopyOnWriteArrayList<>();

        Conductor(String name) {
            this.name = name;
        }

        public String whoAreYou(String caller) {
            return name + " answers " + caller;
        }

        public void record(String event) {
            events.add(event);
        }
    }

    @BeforeAll
    static void startAgent() {
        agent = ConsulAgent.builder("dc1").build().start();
    }

    @AfterAll
    static void stopAgent() {
        agent.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        fleet.close();
    }

    private Conductor server(String name) {
        Conductor c = new Conductor(name);
        fleet.start(fleet.serverBuilder().target(TARGET.server(name)).endpoint(c));
        return c;
    }

    private static int count(Conductor c, String event) {
        return Collections.frequency(c.events, event);
    }

    @Test
    void callCastAndFanoutFindTheirServersThroughConsul() {
        List<Conductor> servers = List.of(server("host-1"), server("host-2"), server("host-3"));
        fleet.track(Broadcaster.builder(fleet.store()).drainDelay(Duration.ZERO)
                .listener(ListenerSettings.DEFAULT.grace(Duration.ofSeconds(5))).start());
        RpcClient client = fleet.client();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                client.prepare(TARGET.server("host-2")).call("whoAreYou", Map.of("caller", "it"), String.class))
                .isEqualTo("host-2 answers it"));
        assertThat(client.prepare(TARGET).call("whoAreYou", Map.of("caller", "any"), String.class))
                .matches("host-[123] answers any");

        client.prepare(TARGET.server("host-3")).cast("record", Map.of("event", "cast"));
        await().atMost(Duration.ofSeconds(20)).until(() -> count(servers.get(2), "cast") == 1);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            FanoutReport probe = client.prepare(TARGET.asFanout()).fanoutWithReport("record", Map.of("event", "probe"));
            assertThat(probe.targeted()).isEqualTo(3);
        });
        FanoutReport report = client.prepare(TARGET.asFanout()).fanoutWithReport("record", Map.of("event", "fanout"));
        assertThat(report.targeted()).isEqualTo(3);
        assertThat(report.delivered()).isEqualTo(3);
        await().atMost(Duration.ofSeconds(20)).until(() -> servers.stream().allMatch(s -> count(s, "fanout") == 1));
        client.prepare(TARGET.asFanout()).cast("record", Map.of("event", "plain"));
        await().atMost(Duration.ofSeconds(20)).until(() -> servers.stream().allMatch(s -> count(s, "plain") == 1));
        assertThat(servers).allSatisfy(s -> assertThat(count(s, "fanout")).isEqualTo(1));
    }

    @Test
    void aStoppedServerLeavesConsulAndCallsGoToTheOthers() throws Exception {
        server("host-a");
        Conductor b = new Conductor("host-b");
        RpcServer serverB = fleet.serverBuilder().target(TARGET.server("host-b")).endpoint(b).start();
        RpcClient client = fleet.client();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                client.prepare(TARGET.server("host-b")).call("whoAreYou", Map.of("caller", "x"), String.class))
                .isEqualTo("host-b answers x"));

        serverB.close();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (int i = 0; i < 20; i++) {
                assertThat(client.prepare(TARGET).call("whoAreYou", Map.of("caller", "y"), String.class))
                        .isEqualTo("host-a answers y");
            }
        });
    }
}

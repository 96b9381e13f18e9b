package io.hotline.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.StoreUnavailableException;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.tck.ConsulStoreFixture;
import io.hotline.testing.ConsulAgent;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An agent with ACLs on and {@code default_policy = "deny"}: writes need the token, which never shows in errors. */
class ConsulAclIT {

    private static final String TOKEN = UUID.randomUUID().toString();
    private static ConsulAgent agent;

    @BeforeAll
    static void startAgent() {
        agent = ConsulAgent.builder("dc1").aclMasterToken(TOKEN).build().start();
    }

    @AfterAll
    static void stopAgent() {
        agent.close();
    }

    private static HotlineConfig config() {
        return ConsulStoreFixture.config(agent, Zone.of("dc1"));
    }

    private static Endpoint endpoint(String service) {
        return Endpoint.builder(service).id("e1").server("host-1").host("127.0.0.1").port(20001)
                .zone(Zone.of("dc1")).build();
    }

    @Test
    void withoutATokenRegisteringIsRefusedWithAClearError() {
        String service = "acl." + UUID.randomUUID().toString().substring(0, 8);
        HotlineConfig noToken = config().with(ConsulStoreProvider.DATACENTER, "dc1");
        try (EndpointStore store = new ConsulStoreProvider().open(noToken)) {
            assertThatThrownBy(() -> store.register(endpoint(service), HealthPolicy.DEFAULT))
                    .isInstanceOf(StoreException.class)
                    .isNotInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("refused to register e1 of " + service)
                    .hasMessageContaining("403")
                    .hasMessageContaining(ConsulStoreProvider.TOKEN);
            // Consul answers a read without rights with an empty list, not an error.
            assertThat(store.list(service, Zone.of("dc1"))).isEmpty();
        }
    }

    @Test
    void withoutATokenOpeningNeedsTheDatacenterSpelledOut() {
        assertThatThrownBy(() -> new ConsulStoreProvider().open(config()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("ask for its datacenter")
                .hasMessageContaining("403")
                .hasMessageContaining(ConsulStoreProvider.TOKEN);
    }

    @Test
    void aWrongTokenIsRefusedAndNeverRepeated() {
        String wrong = UUID.randomUUID().toString();
        HotlineConfig config = config().with(ConsulStoreProvider.TOKEN, wrong).with(ConsulStoreProvider.DATACENTER, "dc1");
        try (EndpointStore store = new ConsulStoreProvider().open(config)) {
            assertThatThrownBy(() -> store.register(endpoint("acl.wrong"), HealthPolicy.DEFAULT))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("403")
                    .satisfies(e -> assertThat(stackText(e)).doesNotContain(wrong));
        }
    }

    @Test
    void theRightTokenRegistersRenewsListsAndDeregisters() {
        String service = "acl." + UUID.randomUUID().toString().substring(0, 8);
        try (EndpointStore store = new ConsulStoreProvider().open(config().with(ConsulStoreProvider.TOKEN, TOKEN))) {
            assertThat(store.homeZone()).isEqualTo(Zone.of("dc1"));
            store.register(endpoint(service), HealthPolicy.DEFAULT);
            store.renew(service, "e1");
            assertThat(store.list(service, Zone.of("dc1")))
                    .containsExactly(new EndpointStatus(endpoint(service), Health.PASSING));
            store.deregister(service, "e1");
            assertThat(store.list(service, Zone.of("dc1"))).isEmpty();
        }
    }

    private static String stackText(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            b.append(t).append('\n');
        }
        return b.toString();
    }
}

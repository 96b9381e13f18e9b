package io.hotline.discovery.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hotline.discovery.Directory;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.Query;
import io.hotline.discovery.Selection;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.testing.Closer;
import io.hotline.testing.NamedServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

/** Read-only mode: zones someone else maintains, read as plain SRV records. */
class DnsReadOnlyIT {

    private static final Zone DC1 = Zone.of("dc1");
    private final Closer closer = new Closer();

    @AfterEach
    void stop() throws Exception {
        closer.close();
    }

    private EndpointStore open(NamedServer named, String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("hotline.store", "dns");
        m.put("hotline.zone", DC1.path());
        m.put("hotline.dns.domain", "legacy.test.");
        m.put("hotline.dns.server", named.address());
        m.put("hotline.dns.mode", "read-only");
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return closer.track(StoreProviders.load().open(HotlineConfig.of(m)));
    }

    private static Map<String, EndpointStatus> byId(List<EndpointStatus> list) {
        Map<String, EndpointStatus> m = new HashMap<>();
        list.forEach(s -> m.put(s.endpoint().id(), s));
        return m;
    }

    @Test
    void aStaticZoneFileIsReadAndWritesAreRefused() {
        NamedServer named = closer.track(NamedServer.builder().staticZone("dc1.legacy.test.", """
                _nova_2econductor._hotline._tcp 60 SRV 10 60 8080 host1
                _nova_2econductor._hotline._tcp 60 SRV 10 20 8081 host2
                _nova_2econductor._hotline._tcp 60 SRV 20 0 8082 backup.example.
                host1 A 127.0.0.1
                host2 A 127.0.0.2
                www TXT "not ours"
                """).start());
        EndpointStore store = open(named);
        Map<String, EndpointStatus> listed = byId(store.list("nova.conductor", DC1));
        assertThat(listed).containsOnlyKeys("host1.dc1.legacy.test:8080", "host2.dc1.legacy.test:8081",
                "backup.example:8082");
        assertThat(listed.values()).allMatch(EndpointStatus::isPassing);
        Endpoint host1 = listed.get("host1.dc1.legacy.test:8080").endpoint();
        assertThat(host1.host()).isEqualTo("host1.dc1.legacy.test");
        assertThat(host1.port()).isEqualTo(8080);
        assertThat(host1.server()).isEqualTo("host1");
        assertThat(host1.zone()).isEqualTo(DC1);
        assertThat(host1.priority()).isEqualTo(10);
        assertThat(host1.weight()).isEqualTo(60);
        assertThat(listed.get("backup.example:8082").endpoint().priority()).isEqualTo(20);
        assertThat(listed.get("backup.example:8082").endpoint().weight()).isZero();
        assertThat(store.list("nova.scheduler", DC1)).isEmpty();

        // RFC 2782 in the core: priority 10 only while one of it is there, three picks of host1 to one of host2.
        Map<String, Integer> picks = new HashMap<>();
        try (Directory directory = Directory.builder(store).zone(DC1).build()) {
            for (int i = 0; i < 4000; i++) {
                try (Selection s = directory.select(Query.of("nova.conductor"))) {
                    picks.merge(s.endpoint().id(), 1, Integer::sum);
                }
            }
        }
        assertThat(picks).doesNotContainKey("backup.example:8082");
        assertThat(picks.get("host1.dc1.legacy.test:8080")).isBetween(2600, 3400);

        Endpoint e = Endpoint.builder("nova.conductor").host("127.0.0.1").port(1).zone(DC1).build();
        HealthPolicy policy = HealthPolicy.DEFAULT;
        assertThatThrownBy(() -> store.register(e, policy)).isInstanceOf(StoreException.class)
                .hasMessageContaining("read-only").hasMessageContaining("hotline.dns.mode");
        assertThatThrownBy(() -> store.renew("nova.conductor", "x")).hasMessageContaining("read-only");
        assertThatThrownBy(() -> store.deregister("nova.conductor", "x")).hasMessageContaining("read-only");
    }

    @Test
    void aNameTemplateReadsAnotherRegistrysLayout() {
        NamedServer named = closer.track(NamedServer.builder().staticZone("consul.", """
                nova-api.service.dc1 0 SRV 1 1 8774 node1.node.dc1
                node1.node.dc1 A 127.0.0.1
                """).start());
        EndpointStore store = open(named, "hotline.dns.srv-name", "{service}.service.dc1.consul.");
        assertThat(byId(store.list("nova-api", DC1))).containsOnlyKeys("node1.node.dc1.consul:8774");
    }

    @Test
    void answersAreKeptForTheirTtlThenAskedAgain() throws Exception {
        NamedServer named = closer.track(NamedServer.builder().zone("dc1.legacy.test.", "operator").start());
        Name service = Name.fromConstantString("_svc._hotline._tcp.dc1.legacy.test.");
        send(named, u -> u.add(new SRVRecord(service, DClass.IN, 1, 0, 1, 80, Name.fromConstantString("a.example."))));
        EndpointStore store = open(named);
        assertThat(byId(store.list("svc", DC1))).containsOnlyKeys("a.example:80");
        send(named, u -> u.add(new SRVRecord(service, DClass.IN, 1, 0, 1, 81, Name.fromConstantString("b.example."))));
        // Within the TTL of one second the answer held is served; after it, the new one.
        assertThat(byId(store.list("svc", DC1))).containsOnlyKeys("a.example:80");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(byId(store.list("svc", DC1))).containsOnlyKeys("a.example:80", "b.example:81"));
        send(named, u -> u.delete(service, Type.SRV));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(store.list("svc", DC1)).isEmpty());
    }

    private static void send(NamedServer named, java.util.function.Consumer<Update> change) throws Exception {
        Update u = new Update(Name.fromConstantString("dc1.legacy.test."));
        change.accept(u);
        SimpleResolver r = new SimpleResolver(named.socketAddress());
        r.setTCP(true);
        r.setTSIGKey(named.key("operator").tsig());
        assertThat(r.send(u).getRcode()).isEqualTo(Rcode.NOERROR);
    }
}

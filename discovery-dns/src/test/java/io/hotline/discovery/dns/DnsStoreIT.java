package io.hotline.discovery.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hotline.discovery.Directory;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.NotRegisteredException;
import io.hotline.discovery.Query;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.testing.CapturedStderr;
import io.hotline.testing.Closer;
import io.hotline.testing.NamedServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

/** The dns store against a real BIND, beyond the kit: keys, foreign records, clocks, the reaper, restarts, size. */
class DnsStoreIT {

    private static final Zone AZ1 = Zone.of("region-one/az-1");
    private static final String ZONE = "az-1.region-one.rpc.test.";
    private static final String KEY = "hotline-az1";
    private static final HealthPolicy POLICY =
            HealthPolicy.of(Duration.ofMillis(200), Duration.ofMillis(1000), Duration.ofMillis(3000));

    private final Closer closer = new Closer();
    private NamedServer named;

    @BeforeEach
    void startNamed() {
        named = closer.track(NamedServer.builder().name("named-store-it").zone(ZONE, KEY).key("stranger").start());
    }

    @AfterEach
    void stop() throws Exception {
        closer.close();
    }

    private Map<String, String> settings(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("hotline.store", "dns");
        m.put("hotline.zone", AZ1.path());
        m.put("hotline.dns.domain", "rpc.test.");
        m.put("hotline.dns.server", named.address());
        m.put("hotline.dns.tsig-key-name", KEY);
        m.put("hotline.dns.tsig-secret", named.key(KEY).secret());
        m.put("hotline.dns.timeout", "2s");
        m.put("hotline.dns.poll-interval", "100ms");
        m.put("hotline.dns.reap-interval", "200ms");
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] == null) {
                m.remove(kv[i]);
            } else {
                m.put(kv[i], kv[i + 1]);
            }
        }
        return m;
    }

    private EndpointStore open(String... kv) {
        return closer.track(StoreProviders.load().open(HotlineConfig.of(settings(kv))));
    }

    private EndpointStore open(Clock clock) {
        return closer.track(DnsStoreProvider.open(HotlineConfig.of(settings()), clock));
    }

    private static Endpoint endpoint(String service, String id, int port) {
        return Endpoint.builder(service).id(id).host("127.0.0.1").port(port).zone(AZ1).build();
    }

    private static Map<String, Health> health(EndpointStore store, String service) {
        Map<String, Health> m = new HashMap<>();
        for (EndpointStatus s : store.list(service, AZ1)) {
            m.put(s.endpoint().id(), s.health());
        }
        return m;
    }

    @Test
    void anUnsignedUpdateIsRefusedNamingTheKeyToSet() {
        EndpointStore unsigned = open("hotline.dns.tsig-key-name", null, "hotline.dns.tsig-secret", null,
                "hotline.dns.mode", "read-only");
        assertThatThrownBy(() -> unsigned.register(endpoint("svc", "a", 1), POLICY))
                .isInstanceOf(StoreException.class).hasMessageContaining("read-only");
        // An unsigned writer is refused by the server itself: REFUSED.
        Update u = new Update(Name.fromConstantString(ZONE));
        u.add(new TXTRecord(Name.fromConstantString("x." + ZONE), DClass.IN, 5, "unsigned"));
        NameServer bare = new NameServer(DnsSettings.home(HotlineConfig.of(settings("hotline.dns.tsig-key-name", null,
                "hotline.dns.tsig-secret", null, "hotline.dns.mode", "read-only"))));
        assertThatThrownBy(() -> bare.update(u)).isInstanceOf(StoreException.class)
                .hasMessageContaining("refuses unsigned").hasMessageContaining("hotline.dns.tsig-key-name");
    }

    @Test
    void aWrongSecretIsRefusedWithoutEverShowingIt() {
        String wrong = java.util.Base64.getEncoder().encodeToString("not the secret at all, no no".getBytes());
        EndpointStore store = open("hotline.dns.tsig-secret", wrong);
        assertThatThrownBy(() -> store.register(endpoint("svc", "a", 1), POLICY))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("hotline.dns.tsig-secret")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong, named.key(KEY).secret()));
    }

    @Test
    void aKeyWithoutTheGrantIsRefusedNamingTheGrant() {
        EndpointStore store = open("hotline.dns.tsig-key-name", "stranger", "hotline.dns.tsig-secret",
                named.key("stranger").secret());
        assertThatThrownBy(() -> store.register(endpoint("svc", "a", 1), POLICY))
                .isInstanceOf(StoreException.class).hasMessageContaining("grant");
    }

    @Test
    void foreignAndBrokenRecordsAreSkippedAndLoggedOnceWithoutTheirContent() throws Exception {
        EndpointStore store = open();
        store.register(endpoint("svc", "good", 1), POLICY);
        DnsNames names = new DnsNames(Name.fromConstantString("rpc.test."));
        Name service = names.serviceName("svc", AZ1);
        Update u = new Update(Name.fromConstantString(ZONE));
        // An SRV someone added by hand, with no TXT or lease.
        u.add(new SRVRecord(Name.fromConstantString("i-handmade." + service), DClass.IN, 5, 0, 0, 80,
                Name.fromConstantString("host.example.")));
        // A registration whose TXT is not Hotline's.
        Name forged = names.instanceName("svc", "forged", AZ1);
        u.add(new SRVRecord(forged, DClass.IN, 5, 0, 1, 81, Name.fromConstantString("host.example.")));
        u.add(new TXTRecord(forged, DClass.IN, 5, "secret-content=do-not-log"));
        u.add(new TXTRecord(DnsNames.leaseName(forged), DClass.IN, 5, "v=1 junk"));
        // A well-formed registration filed under another id's name.
        Name misfiled = names.instanceName("svc", "elsewhere", AZ1);
        for (org.xbill.DNS.Record r : EndpointRecords.of(endpoint("svc", "misfiled", 2), misfiled,
                names.addressName("svc", "misfiled", AZ1), 5)) {
            u.add(r);
        }
        u.add(new TXTRecord(DnsNames.leaseName(misfiled), DClass.IN, 5, Lease.fresh(POLICY, Instant.now()).text()));
        String log;
        try (CapturedStderr captured = CapturedStderr.start()) {
            assertThat(signed().send(u).getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(health(store, "svc")).containsOnlyKeys("good");
            store.register(endpoint("svc", "good2", 3), POLICY);
            assertThat(health(store, "svc")).containsOnlyKeys("good", "good2");
            log = captured.text();
        }
        assertThat(log.split("not a Hotline registration", -1)).hasSize(4);
        assertThat(log).doesNotContain("secret-content", "do-not-log", "misfiled", "handmade");
    }

    private List<org.xbill.DNS.Record> records(Name name, int type) throws java.io.IOException {
        return signed().send(Message.newQuery(org.xbill.DNS.Record.newRecord(name, type, DClass.IN)))
                .getSection(Section.ANSWER);
    }

    private SimpleResolver signed() {
        SimpleResolver r = new SimpleResolver(named.socketAddress());
        r.setTCP(true);
        r.setTSIGKey(named.key(KEY).tsig());
        r.setTimeout(Duration.ofSeconds(5));
        return r;
    }

    @Test
    void aWriterWhoseClockIsBehindShowsCriticalOnlyUntilItsNextRenewal() {
        EndpointStore writer = open(Clock.offset(Clock.systemUTC(), Duration.ofHours(-1)));
        writer.register(endpoint("skew", "behind", 1), POLICY);
        EndpointStore reader = open();
        // Its stamp says an hour old: at first sight critical, never gone.
        assertThat(health(reader, "skew")).containsEntry("behind", Health.CRITICAL);
        // A renewal the reader sees happen is judged by the reader's clock.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            writer.renew("skew", "behind");
            assertThat(health(reader, "skew")).containsEntry("behind", Health.PASSING);
        });
    }

    @Test
    void aDeadWriterWhoseClockIsAheadShowsPassingForAtMostDownAfter() {
        EndpointStore writer = open(Clock.offset(Clock.systemUTC(), Duration.ofHours(1)));
        writer.register(endpoint("skew", "ahead", 1), POLICY);
        long seen = System.nanoTime();
        EndpointStore reader = open();
        assertThat(health(reader, "skew")).containsEntry("ahead", Health.PASSING);
        await().atMost(POLICY.downAfter().plusSeconds(2)).untilAsserted(() ->
                assertThat(health(reader, "skew")).containsEntry("ahead", Health.CRITICAL));
        assertThat(Duration.ofNanos(System.nanoTime() - seen)).isGreaterThanOrEqualTo(POLICY.downAfter());
        // Removed once the reader itself has watched it past deregister-after.
        await().atMost(POLICY.deregisterAfter().plusSeconds(3)).untilAsserted(() ->
                assertThat(health(reader, "skew")).doesNotContainKey("ahead"));
    }

    @Test
    void aSkewedClockNeverReapsALiveRegistration() {
        // The reaper's clock is an hour ahead: by stamps every lease it sees is an hour old.
        EndpointStore reaper = open(Clock.offset(Clock.systemUTC(), Duration.ofHours(1)));
        EndpointStore writer = open();
        writer.register(endpoint("live", "a", 1), POLICY);
        reaper.list("live", AZ1);
        long until = System.nanoTime() + POLICY.deregisterAfter().plusSeconds(1).toNanos();
        while (System.nanoTime() < until) {
            writer.renew("live", "a");
            assertThat(health(reaper, "live")).containsEntry("a", Health.PASSING);
            await().pollDelay(POLICY.reportInterval()).until(() -> true);
        }
    }

    @Test
    void theReaperRemovesWhatStoppedRenewingAndARenewalRacingItWins() {
        EndpointStore store = open();
        store.register(endpoint("reap", "dead", 1), POLICY);
        store.register(endpoint("reap", "alive", 2), POLICY);
        DnsNames names = new DnsNames(Name.fromConstantString("rpc.test."));
        Name dead = names.instanceName("reap", "dead", AZ1);
        // Renew "alive" throughout; "dead" stops at once.
        await().atMost(POLICY.deregisterAfter().plusSeconds(10)).pollInterval(POLICY.reportInterval())
                .untilAsserted(() -> {
                    store.renew("reap", "alive");
                    assertThat(records(dead, Type.SRV)).isEmpty();
                });
        assertThat(health(store, "reap")).containsOnlyKeys("alive");
        assertThatThrownBy(() -> store.renew("reap", "dead")).isInstanceOf(NotRegisteredException.class);
    }

    @Test
    void aZoneRestartedFromItsFilesKeepsItsRegistrationsAndOneRecreatedEmptyGetsThemBackByRegistering() {
        EndpointStore store = open();
        store.register(endpoint("restart", "a", 1), POLICY);
        named.kill();
        assertThatThrownBy(() -> store.list("restart", AZ1)).isInstanceOf(StoreException.class);
        named.start();
        assertThat(health(store, "restart")).containsEntry("a", Health.PASSING);
        store.renew("restart", "a");

        named.stop();
        named.wipe();
        named.start();
        assertThat(store.list("restart", AZ1)).isEmpty();
        assertThatThrownBy(() -> store.renew("restart", "a")).isInstanceOf(NotRegisteredException.class);
        store.register(endpoint("restart", "a", 1), POLICY);
        assertThat(health(store, "restart")).containsEntry("a", Health.PASSING);
    }

    @Test
    void aZoneThatCameBackEmptyDoesNotEmptyADirectorysListAtOnce() {
        EndpointStore store = open();
        store.register(endpoint("stale", "a", 1), POLICY);
        try (Directory directory = Directory.builder(store).zone(AZ1).retryBackoff(Duration.ofMillis(50),
                Duration.ofMillis(200)).build()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !directory.resolve(Query.of("stale")).isEmpty());
            named.stop();
            await().atMost(Duration.ofSeconds(10)).until(() -> directory.resolve(Query.of("stale")).isStale());
            named.wipe();
            named.start();
            // The store answers again, without the endpoint: the directory keeps serving it, marked stale, until the
            // server's next heartbeat would have registered it again.
            await().atMost(Duration.ofSeconds(10)).until(() -> store.list("stale", AZ1).isEmpty()
                    && directory.resolve(Query.of("stale")).unavailableZones().isEmpty());
            assertThat(directory.resolve(Query.of("stale")).isStale()).isTrue();
            assertThat(directory.resolve(Query.of("stale")).endpoints()).extracting(Endpoint::id).containsExactly("a");
        }
    }

    @Test
    void aZoneOfTenThousandEndpointsIsReadWholeAndAChangeInItPropagates() throws Exception {
        DnsNames names = new DnsNames(Name.fromConstantString("rpc.test."));
        HealthPolicy longLived = HealthPolicy.of(Duration.ofMinutes(1), Duration.ofMinutes(10), Duration.ofHours(1));
        SimpleResolver resolver = signed();
        // Written 100 to an update, as a store would write them one by one, to spare the test 10,000 round trips.
        for (int batch = 0; batch < 100; batch++) {
            Update u = new Update(Name.fromConstantString(ZONE));
            for (int i = 0; i < 100; i++) {
                int n = batch * 100 + i;
                Endpoint e = Endpoint.builder("big").id("e" + n).host("10.0." + n / 250 + "." + n % 250).port(20000)
                        .zone(AZ1).metadata(Map.of("free_disk_gb", Integer.toString(n))).build();
                Name instance = names.instanceName("big", e.id(), AZ1);
                for (org.xbill.DNS.Record r : EndpointRecords.of(e, instance, names.addressName("big", e.id(), AZ1),
                        5)) {
                    u.add(r);
                }
                u.add(new TXTRecord(DnsNames.leaseName(instance), DClass.IN, 5,
                        Lease.fresh(longLived, Instant.now()).text()));
            }
            assertThat(resolver.send(u).getRcode()).isEqualTo(Rcode.NOERROR);
        }
        EndpointStore store = open();
        List<EndpointStatus> all = store.list("big", AZ1);
        assertThat(all).hasSize(10_000).allMatch(EndpointStatus::isPassing);
        assertThat(all).extracting(s -> s.endpoint().metadata().get("free_disk_gb")).doesNotHaveDuplicates();

        // A registration past BIND's 100 browse pointers per service still succeeds.
        store.register(endpoint("big", "one-more", 1), longLived);
        assertThat(store.list("big", AZ1)).hasSize(10_001);
    }
}

package io.hotline.broadcaster;

import static io.hotline.broadcaster.Fleet.AZ1;
import static io.hotline.broadcaster.Fleet.FANOUT;
import static io.hotline.broadcaster.Fleet.TARGET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.FanoutReport;
import io.hotline.rpc.FanoutReport.Delivery;
import io.hotline.rpc.FanoutReport.Outcome;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.RpcException;
import io.hotline.rpc.server.testing.RpcFleet;
import io.hotline.rpc.server.testing.Tarpit;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fanouts larger than a broadcaster's split threshold, handed in shares to peer broadcasters; and broadcasters that
 * fail or die while a fanout is under way: every server gets the cast at most once, and the report adds up.
 */
class TreeSplitTest {

    private static final Pattern DELIVERED = Pattern.compile(
            "hotline_broadcaster_deliveries_total\\{outcome=\"delivered\"} ([0-9.]+)");
    private static final Pattern FANOUTS = Pattern.compile("(?m)^hotline_broadcaster_fanouts_total ([0-9.]+)");

    @TempDir
    Path files;

    private Fleet fleet;
    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (Process p : children) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (fleet != null) {
            fleet.close();
        }
    }

    private static double metric(PrometheusMeterRegistry registry, Pattern pattern) {
        Matcher m = pattern.matcher(registry.scrape());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static void assertAddsUp(FanoutReport report) {
        assertThat(report.results()).hasSize(report.targeted());
        assertThat(report.delivered() + report.failed()).isEqualTo(report.targeted());
        assertThat(report.results().stream().filter(d -> d.outcome() == Outcome.DELIVERED).count())
                .isEqualTo(report.delivered());
        assertThat(report.results()).extracting(Delivery::id).doesNotHaveDuplicates();
    }

    @Test
    void aLargeFanoutIsSplitAmongFourBroadcastersAndEveryServerGetsItOnce() throws Exception {
        fleet = Fleet.inMemory();
        List<Recorder> servers = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            servers.add(fleet.server("host-" + i));
        }
        // Threshold 2, two ways: 12 servers split into three shares of 4, each split again into two shares of 2.
        List<PrometheusMeterRegistry> registries = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            registries.add(registry);
            fleet.track(fleet.broadcasterBuilder(AZ1).splitThreshold(2).splitWays(2).meterRegistry(registry).start());
        }
        RpcClient client = fleet.client();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                fleet.store(AZ1).list(RpcClient.BROADCASTER_SERVICE, AZ1).size() == 4);

        FanoutReport report = client.prepare(FANOUT).fanoutWithReport("record", Map.of("event", "tree"));

        assertAddsUp(report);
        assertThat(report.targeted()).isEqualTo(12);
        assertThat(report.delivered()).isEqualTo(12);
        assertThat(report.results()).extracting(Delivery::server).containsExactlyInAnyOrderElementsOf(
                IntStream.rangeClosed(1, 12).mapToObj(i -> "host-" + i).toList());
        await().atMost(Duration.ofSeconds(10)).until(() -> servers.stream().allMatch(s -> Fleet.count(s, "tree") == 1));
        assertThat(servers).allSatisfy(s -> assertThat(s.events).containsExactly("tree"));
        // Peers are picked at random, so which broadcasters worked varies; how the work was cut does not: the origin,
        // two peers with 4 servers each, and the two peers those handed 2 servers each (five fanouts in all), no
        // broadcaster casting to every server, together exactly one cast per server.
        assertThat(registries.stream().mapToDouble(r -> metric(r, FANOUTS)).sum()).isEqualTo(5.0);
        assertThat(registries.stream().filter(r -> metric(r, DELIVERED) > 0).count()).isGreaterThanOrEqualTo(3);
        assertThat(registries).allSatisfy(r -> assertThat(metric(r, DELIVERED)).isLessThan(12));
        assertThat(registries.stream().mapToDouble(r -> metric(r, DELIVERED)).sum()).isEqualTo(12.0);

        // A 202 fanout is split the same way.
        client.prepare(FANOUT).cast("record", Map.of("event", "cast"));
        await().atMost(Duration.ofSeconds(10)).until(() -> servers.stream().allMatch(s -> Fleet.count(s, "cast") == 1));
        assertThat(servers).allSatisfy(s -> assertThat(s.events).containsExactly("tree", "cast"));
    }

    @Test
    void aShareWhosePeerRefusesTheConnectionIsCastLocally() throws Exception {
        fleet = Fleet.inMemory();
        List<Recorder> servers = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            servers.add(fleet.server("host-" + i));
        }
        // A registered broadcaster that is gone: the connection to it is refused.
        fleet.store(AZ1).register(Endpoint.builder(RpcClient.BROADCASTER_SERVICE).id("gone").host("127.0.0.1")
                .port(RpcFleet.deadPort()).zone(AZ1).build(), HealthPolicy.DEFAULT);
        fleet.track(fleet.broadcasterBuilder(AZ1).splitThreshold(3).start());
        FanoutReport report = fleet.client().prepare(FANOUT).fanoutWithReport("record", Map.of("event", "x"));

        assertAddsUp(report);
        assertThat(report.delivered()).isEqualTo(6);
        await().atMost(Duration.ofSeconds(10)).until(() -> servers.stream().allMatch(s -> Fleet.count(s, "x") == 1));
        assertThat(servers).allSatisfy(s -> assertThat(s.events).containsExactly("x"));
    }

    @Test
    void serversAPeerCannotSeeAreCastByTheBroadcasterThatHandedItTheShare() throws Exception {
        fleet = Fleet.inMemory();
        List<Recorder> servers = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            servers.add(fleet.server("host-" + i));
        }
        List<Endpoint> registered = fleet.store(AZ1).list(TARGET.service(), AZ1).stream()
                .map(s -> s.endpoint()).sorted(Comparator.comparing(Endpoint::id)).toList();
        assertThat(registered).hasSize(6);
        // The peer reads a store of its own that holds every server but the last by id (its share is the last three):
        // as a peer whose store is behind, it sees two of its three servers.
        EndpointStore behind = fleet.track(StoreProviders.load().open(HotlineConfig.of(Map.of("hotline.store",
                "memory", "hotline.memory.space", "behind-" + UUID.randomUUID(), "hotline.zone", AZ1.path()))));
        registered.subList(0, 5).forEach(e -> behind.register(e, HealthPolicy.DEFAULT));
        PrometheusMeterRegistry peerRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PrometheusMeterRegistry originRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Broadcaster peer = fleet.track(Broadcaster.builder(behind).drainDelay(Duration.ZERO).meterRegistry(peerRegistry)
                .peerToken(Fleet.PEER_TOKEN).start());
        // Listed in the other zone, so that the client (in az-1) picks the origin, never the peer that is behind.
        fleet.store(Fleet.AZ2).register(Endpoint.builder(RpcClient.BROADCASTER_SERVICE).id("peer-behind")
                .host("127.0.0.1").port(peer.port()).zone(Fleet.AZ2).build(), HealthPolicy.DEFAULT);
        fleet.track(fleet.broadcasterBuilder(AZ1).splitThreshold(3).splitWays(1).meterRegistry(originRegistry).start());
        await().atMost(Duration.ofSeconds(10)).until(() ->
                fleet.store(AZ1).list(RpcClient.BROADCASTER_SERVICE, AZ1).size() == 1
                        && fleet.store(AZ1).list(RpcClient.BROADCASTER_SERVICE, Fleet.AZ2).size() == 1);

        FanoutReport report = fleet.client().prepare(FANOUT).fanoutWithReport("record", Map.of("event", "x"));

        assertAddsUp(report);
        assertThat(report.targeted()).as(report.toString()).isEqualTo(6);
        assertThat(report.delivered()).as(report.toString()).isEqualTo(6);
        assertThat(report.results()).allSatisfy(d -> assertThat(d.notSent()).isFalse());
        await().atMost(Duration.ofSeconds(10)).until(() -> servers.stream().allMatch(s -> Fleet.count(s, "x") == 1));
        assertThat(servers).allSatisfy(s -> assertThat(s.events).containsExactly("x"));
        // Counted where sent: the peer two, the origin its own three and the one the peer could not see; nothing
        // counted as refused, as nothing was.
        assertThat(metric(peerRegistry, DELIVERED)).isEqualTo(2.0);
        assertThat(metric(originRegistry, DELIVERED)).isEqualTo(4.0);
        assertThat(peerRegistry.scrape()).contains("hotline_broadcaster_deliveries_total{outcome=\"refused\"} 0.0");
    }

    @Test
    void aBadShareFromAPeerGetsAClearError() throws Exception {
        fleet = Fleet.inMemory();
        fleet.server("host-1");
        Broadcaster b = fleet.broadcaster();
        for (String[] bad : new String[][] {
                {"\"targets\":[]", "targets is empty"},
                {"\"targets\":[\"a\",\"a\"]", "lists a twice"},
                {"\"targets\":[\"a\"],\"zones\":\"all\"", "exclude each other"},
                {"\"targets\":[\"a b\"]", "targets must list endpoint ids: id 'a b' is invalid"},
                {"\"targets\":\"a\"", "not a valid fanout request"}}) {
            HttpResponse<String> response = PeerShareTest.share(b, "{\"kind\":\"cast\",\"method\":\"record\","
                    + bad[0] + "}", Fleet.PEER_TOKEN);
            assertThat(response.statusCode()).as(bad[0]).isEqualTo(400);
            assertThat(response.body()).contains(bad[1]);
        }
        // A share naming a server the broadcaster does not know is refused before anything is sent (the sender casts
        // it itself); one it mostly knows reports the rest refused, not sent.
        HttpResponse<String> unknown = PeerShareTest.share(b,
                "{\"kind\":\"cast\",\"method\":\"record\",\"report\":true,\"targets\":[\"nobody\"]}", Fleet.PEER_TOKEN);
        assertThat(unknown.statusCode()).isEqualTo(409);
        assertThat(unknown.body()).contains("1 of the 1 servers of this share are not healthy servers");
        String known = fleet.store(AZ1).list(TARGET.service(), AZ1).get(0).endpoint().id();
        HttpResponse<String> half = PeerShareTest.share(b, "{\"kind\":\"cast\",\"method\":\"record\",\"report\":true,"
                + "\"targets\":[\"" + known + "\",\"nobody\"]}", Fleet.PEER_TOKEN);
        assertThat(half.statusCode()).isEqualTo(200);
        assertThat(half.body()).contains("\"refused\"").contains("\"not_sent\":true").contains("nothing was sent")
                .contains("\"targeted\":2").contains("\"delivered\":1");
    }

    /** Starts a broadcaster in a JVM of its own on the fleet's file store; returns once it listens. */
    private Process broadcasterProcess(Zone zone, Duration perTargetTimeout) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), BroadcasterInAnotherProcess.class.getName(),
                files.toString(), zone.path(), perTargetTimeout.toString()).redirectErrorStream(true).start();
        children.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> listening = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith("listening ")) {
                        return line;
                    }
                }
                throw new IllegalStateException("the broadcaster process ended without listening");
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        });
        listening.get(60, TimeUnit.SECONDS);
        // Keep draining its output so it never blocks on a full pipe.
        Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "child-output");
        drain.setDaemon(true);
        drain.start();
        return p;
    }

    @Test
    void aBroadcasterKilledMidFanoutGivesTheClientAnErrorNotASuccess() throws Exception {
        fleet = Fleet.inFiles(files);
        Recorder fast = fleet.server("fast");
        Tarpit slow = fleet.tarpit();
        fleet.register("slow", "slow", slow.port());
        Process broadcaster = broadcasterProcess(AZ1, Duration.ofSeconds(60));
        RpcClient client = fleet.client();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                !fleet.store(AZ1).list(RpcClient.BROADCASTER_SERVICE, AZ1).isEmpty());

        CompletableFuture<FanoutReport> reported = client.prepare(FANOUT).fanoutWithReportAsync("record",
                Map.of("event", "x"));
        await().atMost(Duration.ofSeconds(20)).until(() -> slow.connections() == 1 && Fleet.count(fast, "x") == 1);
        broadcaster.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

        assertThatThrownBy(() -> reported.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(RpcException.class)
                .hasMessageContaining("the fanout cast " + TARGET.service() + ".record broke mid-way")
                .hasMessageContaining("may already have received it");
    }

    @Test
    void aPeerKilledMidShareLeavesItsServersReportedAsErrorsNotCastAgain() throws Exception {
        fleet = Fleet.inFiles(files);
        // Ids sort the real servers first: the origin keeps them, the peer gets the share of servers that hang.
        List<Recorder> fast = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            Recorder r = new Recorder();
            fleet.track(fleet.serverBuilder("fast-" + i, AZ1, r).start());
            fast.add(r);
        }
        List<Tarpit> slow = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            Tarpit t = fleet.tarpit();
            slow.add(t);
            fleet.register("zz-slow-" + i, "slow-" + i, t.port());
        }
        // The peer is in another zone, so that the client in AZ1 goes to the origin; peers are taken from any zone.
        Process peer = broadcasterProcess(Fleet.AZ2, Duration.ofSeconds(60));
        fleet.track(fleet.broadcasterBuilder(AZ1).splitThreshold(3).splitWays(1).peerTimeout(Duration.ofSeconds(60))
                .start());
        await().atMost(Duration.ofSeconds(20)).until(() ->
                fleet.store(AZ1).list(RpcClient.BROADCASTER_SERVICE, Fleet.AZ2).size() == 1);
        RpcClient client = fleet.client();

        CompletableFuture<FanoutReport> reported = client.prepare(FANOUT).fanoutWithReportAsync("record",
                Map.of("event", "x"));
        await().atMost(Duration.ofSeconds(20)).until(() -> slow.stream().allMatch(t -> t.connections() == 1)
                && fast.stream().allMatch(r -> Fleet.count(r, "x") == 1));
        peer.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

        FanoutReport report = reported.get(60, TimeUnit.SECONDS);
        assertAddsUp(report);
        assertThat(report.targeted()).isEqualTo(6);
        assertThat(report.delivered()).isEqualTo(3);
        assertThat(report.results()).filteredOn(d -> d.id().startsWith("zz-slow-")).hasSize(3).allSatisfy(d -> {
            assertThat(d.outcome()).isEqualTo(Outcome.ERROR);
            assertThat(d.reason()).contains("did not report").contains("not cast again");
        });
        assertThat(slow).allSatisfy(t -> assertThat(t.connections()).isEqualTo(1));
        assertThat(fast).allSatisfy(r -> assertThat(r.events).containsExactly("x"));
    }
}

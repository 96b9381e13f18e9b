package io.hotline.broadcaster;

import static io.hotline.broadcaster.Fleet.AZ1;
import static io.hotline.broadcaster.Fleet.FANOUT;
import static io.hotline.broadcaster.Fleet.TARGET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
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
import io.hotline.rpc.internal.wire.Wire;
import io.hotline.rpc.server.RpcServer;
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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
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
        // Threshold 2, two ways: the origin casts the servers it owns and hands the rest to two groups of its three
        // peers (one and two), the group of two splitting its share again between its members.
        List<PrometheusMeterRegistry> registries = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            registries.add(registry);
            ids.add(fleet.track(fleet.broadcasterBuilder(AZ1).splitThreshold(2).splitWays(2).meterRegistry(registry)
                    .start()).endpoint().id());
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
        // Each broadcaster cast to the servers it owns, whichever the client picked, and took one fanout or share at
        // most: together exactly one cast per server.
        Map<String, Integer> owned = Ownership.counts(ids, report.results().stream().map(Delivery::id).toList());
        for (int i = 0; i < 4; i++) {
            assertThat(metric(registries.get(i), DELIVERED)).as("casts of broadcaster %d", i)
                    .isEqualTo(owned.getOrDefault(ids.get(i), 0).doubleValue());
            assertThat(metric(registries.get(i), FANOUTS)).isLessThanOrEqualTo(1.0);
        }
        assertThat(registries.stream().mapToDouble(r -> metric(r, DELIVERED)).sum()).isEqualTo(12.0);

        // A 202 fanout is split the same way.
        client.prepare(FANOUT).cast("record", Map.of("event", "cast"));
        await().atMost(Duration.ofSeconds(10)).until(() -> servers.stream().allMatch(s -> Fleet.count(s, "cast") == 1));
        assertThat(servers).allSatisfy(s -> assertThat(s.events).containsExactly("tree", "cast"));
    }

    /** A client's fanout with a report of {@code event}, sent to broadcaster {@code b} itself. */
    private static FanoutReport fanoutAt(Broadcaster b, String event) throws Exception {
        HttpResponse<String> response = PeerShareTest.share(b, "{\"kind\":\"cast\",\"method\":\"record\",\"args\":"
                + "{\"event\":\"" + event + "\"},\"report\":true}", null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Wire.REPORT_READER.readValue(response.body());
    }

    @Test
    void eachServerIsCastByTheBroadcasterOwningItWhicheverBroadcasterAFanoutStartsAt() throws Exception {
        fleet = Fleet.inMemory();
        List<Recorder> servers = new ArrayList<>();
        for (int i = 1; i <= 42; i++) {
            servers.add(fleet.server("host-" + i));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> fleet.store(AZ1).list(TARGET.service(), AZ1).size() == 42);
        List<String> serverIds = fleet.store(AZ1).list(TARGET.service(), AZ1).stream().map(s -> s.endpoint().id())
                .toList();
        // Seven broadcasters, two ways: the origin's six peers in two groups of three, each group's first splitting
        // its share again between the two others.
        List<Broadcaster> broadcasters = new ArrayList<>();
        List<PrometheusMeterRegistry> registries = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            registries.add(registry);
            broadcasters.add(fleet.track(fleet.broadcasterBuilder(AZ1).splitThreshold(2).splitWays(2)
                    .meterRegistry(registry).start()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() ->
                fleet.store(AZ1).list(RpcClient.BROADCASTER_SERVICE, AZ1).size() == 7);
        List<String> ids = broadcasters.stream().map(b -> b.endpoint().id()).toList();
        Map<String, Integer> owned = Ownership.counts(ids, serverIds);

        double[] before = new double[7];
        for (String[] run : new String[][] {{"0", "first"}, {"4", "second"}}) {
            FanoutReport report = fanoutAt(broadcasters.get(Integer.parseInt(run[0])), run[1]);

            assertAddsUp(report);
            assertThat(report.delivered()).as("%s", report).isEqualTo(42);
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    servers.stream().allMatch(s -> Fleet.count(s, run[1]) == 1));
            // Each broadcaster sent the casts of the servers it owns, about 42/7 each, the same from either origin:
            // not a third of them at the origin.
            for (int i = 0; i < 7; i++) {
                double sent = metric(registries.get(i), DELIVERED);
                assertThat(sent - before[i]).as("casts of broadcaster %d from origin %s", i, run[0])
                        .isEqualTo(owned.getOrDefault(ids.get(i), 0).doubleValue());
                before[i] = sent;
            }
        }
        assertThat(servers).allSatisfy(s -> assertThat(s.events).containsExactly("first", "second"));
    }

    @Test
    void theServersOfABroadcasterAShareNamesButNoStoreListsAreCastByItsReceiver() throws Exception {
        fleet = Fleet.inMemory();
        List<Recorder> servers = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            servers.add(fleet.server("host-" + i));
        }
        Broadcaster b = fleet.broadcaster();
        List<String> serverIds = fleet.store(AZ1).list(TARGET.service(), AZ1).stream().map(s -> s.endpoint().id())
                .toList();
        // Several unknown broadcasters, so that some surely own servers of the share.
        String peers = "[\"" + b.endpoint().id() + "\",\"ghost-1\",\"ghost-2\",\"ghost-3\"]";

        HttpResponse<String> response = PeerShareTest.share(b, "{\"kind\":\"cast\",\"method\":\"record\","
                + "\"args\":{\"event\":\"x\"},\"report\":true,\"targets\":" + serverIds.stream()
                .map(id -> "\"" + id + "\"").collect(Collectors.joining(",", "[", "]")) + ",\"peers\":" + peers + "}",
                Fleet.PEER_TOKEN);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"targeted\":6", "\"delivered\":6");
        await().atMost(Duration.ofSeconds(10)).until(() -> servers.stream().allMatch(s -> Fleet.count(s, "x") == 1));
        assertThat(servers).allSatisfy(s -> assertThat(s.events).containsExactly("x"));
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
        List<String> serverIds = fleet.store(AZ1).list(TARGET.service(), AZ1).stream().map(s -> s.endpoint().id())
                .sorted().toList();
        assertThat(serverIds).hasSize(6);
        PrometheusMeterRegistry originRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        String originId = fleet.track(fleet.broadcasterBuilder(AZ1).splitThreshold(3).splitWays(1)
                .meterRegistry(originRegistry).start()).endpoint().id();
        // The peer reads a store of its own that lacks one of the servers the peer owns: as a peer whose store is
        // behind, it sees all of its share but that one. Ids come from ports, so a peer owning fewer than two servers
        // (its share would then be refused whole, another case) is replaced.
        PrometheusMeterRegistry peerRegistry;
        Broadcaster peer;
        List<String> peerOwns;
        EndpointStore behind;
        do {
            behind = fleet.track(StoreProviders.load().open(HotlineConfig.of(Map.of("hotline.store", "memory",
                    "hotline.memory.space", "behind-" + UUID.randomUUID(), "hotline.zone", AZ1.path()))));
            peerRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            peer = fleet.track(Broadcaster.builder(behind).drainDelay(Duration.ZERO).meterRegistry(peerRegistry)
                    .peerToken(Fleet.PEER_TOKEN).start());
            String peerId = peer.endpoint().id();
            peerOwns = serverIds.stream().filter(id -> Ownership.owner(List.of(originId, peerId), id).equals(peerId))
                    .toList();
        } while (peerOwns.size() < 2);
        String missing = peerOwns.get(0);
        for (EndpointStatus s : fleet.store(AZ1).list(TARGET.service(), AZ1)) {
            if (!s.endpoint().id().equals(missing)) {
                behind.register(s.endpoint(), HealthPolicy.DEFAULT);
            }
        }
        // Listed in the other zone under its own id, so that the client (in az-1) picks the origin, never the peer that
        // is behind, and the origin, alone in its zone, takes the peers of every zone.
        fleet.store(Fleet.AZ2).register(Endpoint.builder(RpcClient.BROADCASTER_SERVICE).id(peer.endpoint().id())
                .host("127.0.0.1").port(peer.port()).zone(Fleet.AZ2).build(), HealthPolicy.DEFAULT);
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
        // Counted where sent: the peer the servers it owns and sees, the origin its own and the one the peer could
        // not see; nothing counted as refused, as nothing was.
        assertThat(metric(peerRegistry, DELIVERED)).isEqualTo(peerOwns.size() - 1.0);
        assertThat(metric(originRegistry, DELIVERED)).isEqualTo(6.0 - peerOwns.size() + 1);
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
                {"\"targets\":\"a\"", "not a valid fanout request"},
                {"\"peers\":[\"" + b.endpoint().id() + "\"]", "peers is only for a share from a peer broadcaster"},
                {"\"targets\":[\"a\"],\"peers\":\"" + b.endpoint().id() + "\"",
                        "peers must be a JSON array of broadcaster endpoint ids"},
                {"\"targets\":[\"a\"],\"peers\":[\" \"]", "peers must list broadcaster endpoint ids as non-blank"},
                {"\"targets\":[\"a\"],\"peers\":[7]", "peers must list broadcaster endpoint ids as non-blank"},
                {"\"targets\":[\"a\"],\"peers\":null", "not a valid fanout request"},
                {"\"targets\":[\"a\"],\"peers\":[\"other-broadcaster\"]", "peers does not name this broadcaster"},
                {"\"targets\":[\"a\"],\"peers\":" + IntStream.range(0, 1_001).mapToObj(i -> "\"b-" + i + "\"")
                        .collect(Collectors.joining(",", "[", "]")), "peers names 1001 broadcasters; a share names at"
                        + " most 1000"}}) {
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
        // The peer is in another zone, so that the client in AZ1 goes to the origin, which, alone in its zone, takes
        // the peers of every zone.
        Process peer = broadcasterProcess(Fleet.AZ2, Duration.ofSeconds(60));
        String originId = fleet.track(fleet.broadcasterBuilder(AZ1).splitThreshold(3).splitWays(1)
                .peerTimeout(Duration.ofSeconds(60)).start()).endpoint().id();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                fleet.store(AZ1).list(RpcClient.BROADCASTER_SERVICE, Fleet.AZ2).size() == 1);
        String peerId = fleet.store(AZ1).list(RpcClient.BROADCASTER_SERVICE, Fleet.AZ2).get(0).endpoint().id();
        List<String> both = List.of(originId, peerId);
        // The origin owns the real servers (ids come from ports: one the peer would own is replaced), the peer the
        // servers that hang (their ids are picked so).
        List<Recorder> fast = new ArrayList<>();
        while (fast.size() < 3) {
            Recorder r = new Recorder();
            RpcServer server = fleet.track(fleet.serverBuilder("fast-" + fast.size(), AZ1, r).start());
            if (Ownership.owner(both, server.endpoint().id()).equals(originId)) {
                fast.add(r);
            } else {
                server.close();
            }
        }
        List<Tarpit> slow = new ArrayList<>();
        for (int k = 0; slow.size() < 3; k++) {
            String id = "zz-slow-" + k;
            if (Ownership.owner(both, id).equals(peerId)) {
                Tarpit t = fleet.tarpit();
                slow.add(t);
                fleet.register(id, "slow-" + k, t.port());
            }
        }
        await().atMost(Duration.ofSeconds(20)).until(() ->
                fleet.store(AZ1).list(TARGET.service(), AZ1).size() == 6);
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

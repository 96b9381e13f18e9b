package io.hotline.broadcaster;

import static io.hotline.broadcaster.Fleet.AZ1;
import static io.hotline.broadcaster.Fleet.AZ2;
import static io.hotline.broadcaster.Fleet.FANOUT;
import static io.hotline.broadcaster.Fleet.TARGET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hotline.discovery.config.HotlineConfig;
import io.hotline.rpc.FanoutReport;
import io.hotline.rpc.FanoutReport.Outcome;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.internal.fanout.FanoutEngine;
import io.hotline.testing.CapturedStderr;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Shares ({@code targets}) are for peer broadcasters only: a client cannot make a broadcaster look up and report on ids
 * it names (issue 13, defect 9: a 589 KB request made a 9.3 MB report), a peer's share is bounded, and broadcasters
 * whose peer tokens differ or are missing still reach every server, each once.
 */
class PeerShareTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern FANOUTS = Pattern.compile("(?m)^hotline_broadcaster_fanouts_total ([0-9.]+)");
    private static final Pattern DELIVERED = Pattern.compile(
            "hotline_broadcaster_deliveries_total\\{outcome=\"delivered\"} ([0-9.]+)");

    private final Fleet fleet = Fleet.inMemory();

    @AfterEach
    void closeAll() throws Exception {
        fleet.close();
    }

    /** POSTs a fanout body to {@code b}, with the peer token header when {@code peerToken} is not null. */
    static HttpResponse<String> share(Broadcaster b, String body, String peerToken) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(b.endpoint().baseUri() + "/v1/fanout/"
                + TARGET.service())).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (peerToken != null) {
            request.header(FanoutEngine.PEER_TOKEN_HEADER, peerToken);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A share with a report naming {@code ids}. */
    private static String shareOf(List<String> ids) {
        return "{\"kind\":\"cast\",\"method\":\"record\",\"args\":{\"event\":\"share\"},\"report\":true,\"targets\":"
                + ids.stream().map(id -> "\"" + id + "\"").collect(Collectors.joining(",", "[", "]")) + "}";
    }

    private List<String> serverIds() {
        return fleet.store(AZ1).list(TARGET.service(), AZ1).stream().map(s -> s.endpoint().id()).sorted().toList();
    }

    /** The real servers' ids followed by {@code unknown} made-up ones. */
    private List<String> withGhosts(int unknown) {
        List<String> ids = new ArrayList<>(serverIds());
        IntStream.range(0, unknown).forEach(i -> ids.add("ghost-" + i));
        return ids;
    }

    private static double metric(PrometheusMeterRegistry registry, Pattern pattern) {
        Matcher m = pattern.matcher(registry.scrape());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void aClientSendingTargetsIsRefusedAndNothingIsLookedUpOrSent() throws Exception {
        Recorder one = fleet.server("host-1");
        Recorder two = fleet.server("host-2");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Broadcaster b = fleet.track(fleet.broadcasterBuilder(AZ1).meterRegistry(registry).start());
        // The attack of the issue: real ids (so that something would be sent) and a flood of made-up ones.
        String hostile = shareOf(withGhosts(20_000));

        HttpResponse<String> refused = share(b, hostile, null);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
        assertThat(refused.body()).contains("AccessDenied", "targets is for peer broadcasters",
                FanoutEngine.PEER_TOKEN_HEADER).hasSizeLessThan(1000);
        HttpResponse<String> wrong = share(b, hostile, "not-the-peer-token-at-all");
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(wrong.body()).contains("the peer token is wrong").doesNotContain(Fleet.PEER_TOKEN)
                .hasSizeLessThan(1000);
        // Started nothing: no fanout counted, no server got the cast (a fanout of the same sender, after, got there).
        assertThat(metric(registry, FANOUTS)).isZero();
        fleet.client().prepare(FANOUT).fanoutWithReport("record", Map.of("event", "after"));
        await().atMost(Duration.ofSeconds(10)).until(() -> Fleet.count(one, "after") == 1
                && Fleet.count(two, "after") == 1);
        assertThat(one.events).containsExactly("after");
        assertThat(two.events).containsExactly("after");

        // A broadcaster without a peer token takes no share from anyone, and says how to enable them.
        Broadcaster alone = fleet.track(Broadcaster.builder(fleet.store(AZ1)).drainDelay(Duration.ZERO).start());
        for (String token : new String[] {null, Fleet.PEER_TOKEN}) {
            HttpResponse<String> none = share(alone, hostile, token);
            assertThat(none.statusCode()).isEqualTo(403);
            assertThat(none.body()).contains("takes no shares", "hotline.broadcaster.peer-token").hasSizeLessThan(1000);
        }
    }

    @Test
    void aShareFromAPeerIsBoundedBeforeItsLookupAndItsReportByTheServersFound() throws Exception {
        fleet.server("host-1");
        fleet.server("host-2");
        // Ten targets may wait, so a share names at most ten.
        Broadcaster b = fleet.track(fleet.broadcasterBuilder(AZ1).maxPendingTargets(10).start());

        // Eleven ids: refused for their number, before the lookup that would refuse them as unknown (409).
        HttpResponse<String> tooMany = share(b, shareOf(withGhosts(9)), Fleet.PEER_TOKEN);
        assertThat(tooMany.statusCode()).as(tooMany.body()).isEqualTo(400);
        assertThat(tooMany.body()).contains("targets names 11 servers; a share names at most 10");

        // Fewer than half of the ids are servers here: refused after the lookup, nothing sent, a short answer.
        HttpResponse<String> mostlyUnknown = share(b, shareOf(withGhosts(3)), Fleet.PEER_TOKEN);
        assertThat(mostlyUnknown.statusCode()).as(mostlyUnknown.body()).isEqualTo(409);
        assertThat(mostlyUnknown.body()).contains("3 of the 5 servers of this share are not healthy servers");

        // As many known as unknown: cast, and each unknown one reported not sent, so that the sender casts it.
        HttpResponse<String> half = share(b, shareOf(withGhosts(2)), Fleet.PEER_TOKEN);
        assertThat(half.statusCode()).as(half.body()).isEqualTo(200);
        assertThat(half.body()).contains("\"targeted\":4", "\"delivered\":2", "\"not_sent\":true");

        // Two peer token headers: which one counts would depend on who reads them, so neither does.
        HttpResponse<String> twice = HTTP.send(HttpRequest.newBuilder(URI.create(b.endpoint().baseUri() + "/v1/fanout/"
                + TARGET.service())).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .header(FanoutEngine.PEER_TOKEN_HEADER, Fleet.PEER_TOKEN).header(FanoutEngine.PEER_TOKEN_HEADER, "other")
                .POST(HttpRequest.BodyPublishers.ofString(shareOf(serverIds()))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(twice.statusCode()).isEqualTo(400);
        assertThat(twice.body()).contains("send one Hotline-Peer-Token header").doesNotContain(Fleet.PEER_TOKEN);

        // A flood of unknown ids within the bound of a default broadcaster makes a short refusal, not a big report.
        Broadcaster roomy = fleet.track(fleet.broadcasterBuilder(AZ1).start());
        HttpResponse<String> flood = share(roomy, shareOf(withGhosts(20_000)), Fleet.PEER_TOKEN);
        assertThat(flood.statusCode()).isEqualTo(409);
        assertThat(flood.body()).hasSizeLessThan(1000);
    }

    @Test
    void aPeerWithAnotherPeerTokenOrNoneRefusesItsShareAndTheOriginCastsItAll() throws Exception {
        List<Recorder> servers = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            servers.add(fleet.server("host-" + i));
        }
        PrometheusMeterRegistry origin = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PrometheusMeterRegistry other = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PrometheusMeterRegistry none = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // The peers are in AZ2, so that the client in AZ1 goes to the origin; the origin takes peers from any zone.
        Broadcaster otherPeer = fleet.track(Broadcaster.builder(fleet.store(AZ2)).drainDelay(Duration.ZERO)
                .peerToken("another-0123456789abcdef").meterRegistry(other).start());
        Broadcaster noPeer = fleet.track(Broadcaster.builder(fleet.store(AZ2)).drainDelay(Duration.ZERO)
                .meterRegistry(none).start());
        fleet.track(fleet.broadcasterBuilder(AZ1).splitThreshold(2).splitWays(2).meterRegistry(origin).start());
        await().atMost(Duration.ofSeconds(10)).until(() ->
                fleet.store(AZ1).list(RpcClient.BROADCASTER_SERVICE, AZ2).size() == 2);
        // Each refuses a share with the origin's peer token with 403.
        assertThat(share(otherPeer, shareOf(serverIds()), Fleet.PEER_TOKEN).statusCode()).isEqualTo(403);
        assertThat(share(noPeer, shareOf(serverIds()), Fleet.PEER_TOKEN).statusCode()).isEqualTo(403);

        try (CapturedStderr log = CapturedStderr.start()) {
            FanoutReport report = fleet.client().prepare(FANOUT).fanoutWithReport("record", Map.of("event", "x"));

            assertThat(report.targeted()).as("%s", report).isEqualTo(6);
            assertThat(report.delivered()).as("%s", report).isEqualTo(6);
            assertThat(report.results()).allSatisfy(d -> assertThat(d.outcome()).isEqualTo(Outcome.DELIVERED));
            // A delivered cast is queued at the server: it runs a moment after.
            await().atMost(Duration.ofSeconds(10)).until(() -> servers.stream().allMatch(s -> Fleet.count(s, "x") == 1));
            assertThat(servers).allSatisfy(s -> assertThat(s.events).containsExactly("x"));
            // The shares were refused before anything started at the peers, and cast by the origin, which says why.
            assertThat(metric(other, FANOUTS)).isZero();
            assertThat(metric(none, FANOUTS)).isZero();
            assertThat(metric(origin, DELIVERED)).isEqualTo(6.0);
            await().atMost(Duration.ofSeconds(10)).until(() -> log.text().contains("refused a share"));
            assertThat(log.text()).contains("HTTP 403 AccessDenied", "same hotline.broadcaster.peer-token");
            assertThat(log.text()).doesNotContain(Fleet.PEER_TOKEN).doesNotContain("another-0123456789abcdef");
        }
    }

    @Test
    void aBroadcasterWithoutAPeerTokenCastsEveryFanoutItselfAndSaysSoOnce() throws Exception {
        List<Recorder> servers = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            servers.add(fleet.server("host-" + i));
        }
        PrometheusMeterRegistry peer = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        fleet.track(fleet.broadcasterBuilder(AZ2).meterRegistry(peer).start());
        try (CapturedStderr log = CapturedStderr.start()) {
            fleet.track(Broadcaster.builder(fleet.store(AZ1)).drainDelay(Duration.ZERO).splitThreshold(2).start());
            assertThat(log.text()).contains("no hotline.broadcaster.peer-token: this broadcaster casts every fanout"
                    + " itself");
        }
        await().atMost(Duration.ofSeconds(10)).until(() ->
                fleet.store(AZ1).list(RpcClient.BROADCASTER_SERVICE, AZ2).size() == 1);

        FanoutReport report = fleet.client().prepare(FANOUT).fanoutWithReport("record", Map.of("event", "x"));

        assertThat(report.delivered()).as("%s", report).isEqualTo(6);
        await().atMost(Duration.ofSeconds(10)).until(() -> servers.stream().allMatch(s -> Fleet.count(s, "x") == 1));
        assertThat(servers).allSatisfy(s -> assertThat(s.events).containsExactly("x"));
        assertThat(metric(peer, FANOUTS)).isZero();
    }

    @Test
    void thePeerTokenComesFromTheConfigAndABadOneIsRefusedWithoutQuotingIt() throws Exception {
        String key = "hotline.broadcaster.peer-token";
        for (String[] bad : new String[][] {{"tiny-secret", "at least 16 characters"},
                {"0123456789 abcdef-secret", "printable ASCII without spaces"}}) {
            assertThatThrownBy(() -> Broadcaster.builder(fleet.store(AZ1)).config(HotlineConfig.of(Map.of(key, bad[0]))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(key).hasMessageContaining(bad[1]).hasMessageNotContaining(bad[0]);
        }
        String same = "the-same-0123456789abcdef";
        assertThatThrownBy(() -> Broadcaster.builder(fleet.store(AZ1)).config(HotlineConfig.of(Map.of(key, same,
                "hotline.http.token", same))).start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must differ from hotline.http.token")
                .hasMessageNotContaining(same);

        fleet.server("host-1");
        Broadcaster configured = fleet.track(Broadcaster.builder(fleet.store(AZ1)).drainDelay(Duration.ZERO)
                .config(HotlineConfig.of(Map.of(key, Fleet.PEER_TOKEN))).start());
        HttpResponse<String> taken = share(configured, shareOf(serverIds()), Fleet.PEER_TOKEN);
        assertThat(taken.statusCode()).as(taken.body()).isEqualTo(200);
        assertThat(taken.body()).contains("\"delivered\":1");
    }
}

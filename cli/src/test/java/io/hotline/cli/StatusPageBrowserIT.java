package io.hotline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.ZoneScope;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.Target;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in a real headless Chromium (Debian's {@code chromium}, installed by scripts/install-chromium):
 * the demo's cloud runs with a token, the browser loads the page, as {@code hotline status} serves it and as the
 * broadcaster does, and both its DOM and a screenshot must show the endpoints.
 */
class StatusPageBrowserIT {

    private static final int WIDTH = 1280;
    private static final int HEIGHT = 1000;
    private static final String TOKEN = "s3cret-token";

    @TempDir
    Path dir;

    private EndpointStore store;
    private NovaCloud cloud;
    private RpcClient conductor;
    private StatusServer status;

    @BeforeEach
    void startTheDemosCloud() {
        HotlineConfig config = HotlineConfig.of(Map.of("hotline.store", "file", "hotline.zone", "region-one",
                "hotline.file.dir", dir.resolve("store").toString(), "hotline.file.poll-interval", "100ms",
                "hotline.http.drain-delay", "0s", "hotline.http.token", TOKEN,
                "hotline.broadcaster.status-services", NovaCloud.SCHEDULER));
        store = StoreProviders.load().open(config);
        cloud = new NovaCloud(store, config, HealthPolicy.of(Duration.ofMillis(200), Duration.ofSeconds(1),
                Duration.ofSeconds(30)), line -> { }).start();
        conductor = RpcClient.builder(store).zone(NovaCloud.AZ1).token(TOKEN).timeout(Duration.ofSeconds(10)).build();
        status = StatusServer.start(store, config, 0, List.of(NovaCloud.SCHEDULER, NovaCloud.COMPUTE),
                Duration.ofMillis(200));
    }

    @AfterEach
    void stop() {
        status.close();
        conductor.close();
        cloud.close();
        store.close();
    }

    @Test
    void thePageShowsTheDemosEndpointsHealthCallsAndFanouts() throws Exception {
        runTheDemosSteps();
        await().atMost(Duration.ofSeconds(30)).until(() -> status.pageSnapshotShows("critical")
                && status.pageSnapshotShows("\"delivered\":3") && status.pageSnapshotShows("\"calls\":20"));

        assertThePageShowsTheDemo(status.url() + "#token=" + TOKEN);
        assertThat(run(chromium(), "--virtual-time-budget=5000", "--dump-dom", status.url()))
                .contains("the status needs a token", "<form id=\"login\">").doesNotContain("compute-1");
    }

    @Test
    void theBroadcastersPageShowsTheSameWithItsOwnFanoutsGivenTheTokenInItsUrl() throws Exception {
        runTheDemosSteps();
        String json = cloud.broadcasterStatusUrl() + "api/status";
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            String s = get(json);
            return s.contains("critical") && s.contains("\"delivered\":3") && s.contains("\"calls\":20");
        });

        // The token travels in the fragment, which the browser never sends; the page sends it as a Bearer token.
        String dom = assertThePageShowsTheDemo(cloud.broadcasterStatusUrl() + "#token=" + TOKEN);
        assertThat(dom).contains("this broadcaster: 1 fanouts: 3 delivered, 0 refused")
                .doesNotContain("<form id=\"login\">");
        assertThat(run(chromium(), "--virtual-time-budget=5000", "--dump-dom", cloud.broadcasterStatusUrl()))
                .contains("the status needs a token", "<form id=\"login\">").doesNotContain("compute-1");
    }

    private void runTheDemosSteps() {
        Target scheduler = Target.topic("scheduler").exchange("nova");
        for (int i = 0; i < 20; i++) {
            conductor.prepare(scheduler).call("select_destinations", Map.of("instance_uuid", "vm-" + i,
                    "memory_mb", 1024), Map.class);
        }
        conductor.prepare(Target.topic("compute").exchange("nova").asFanout()).fanoutScope(ZoneScope.all())
                .fanoutWithReport("refresh_cache", Map.of());
        cloud.stopReporting("compute-3");
    }

    /** Loads {@code url} in Chromium, checks its DOM and a screenshot, and returns the DOM. */
    private String assertThePageShowsTheDemo(String url) throws Exception {
        String chromium = chromium();
        String dom = run(chromium, "--virtual-time-budget=5000", "--dump-dom", url);
        assertThat(dom).contains("Hotline status", "region-one (home)", "region-one/az-1: 4/4 passing", "region-one/az-2: 1/2 passing", "nova.scheduler", "nova.compute",
                "hotline.broadcaster", "scheduler-1", "scheduler-2", "compute-1", "compute-2", "compute-3",
                "broadcaster-1", "region-one/az-1", "region-one/az-2", "class=\"passing\"", "class=\"critical\"",
                "all broadcasters: 1 fanouts: 3 delivered, 0 refused");
        assertThat(dom).containsPattern("<td>nova.scheduler</td><td>2 / 2</td>")
                .containsPattern("<td>nova.compute</td><td>2 / 3</td>")
                .doesNotContain("cannot load the status");
        // Readable times: a clock and how long ago; the file store tells since when, so no page-observed lower bound.
        assertThat(dom).containsPattern("collected \\d{2}:\\d{2}:\\d{2} \\(")
                .containsPattern("<td title=\"[^\"]+\">\\d{2}:\\d{2}:\\d{2} · (now|\\d+ s ago)</td>")
                .doesNotContain("≤ ");
        // The scheduler's chart: its calls per second over the collections so far, as a line.
        assertThat(dom).containsPattern("<tr data-service=\"nova.scheduler\">(<td>[^<]*</td>){5}<td class=\"chart-cell\"><svg class=\"chart\""
                + "[^>]*>(<polyline[^>]*></polyline>)*<polyline class=\"calls\" points=\"[0-9.]+,[0-9.]+ [0-9.]+,[0-9.]+")
                .containsPattern("<span class=\"muted peaks\">peak [0-9.]+/s, [0-9.]+ ms</span>");

        Path png = dir.resolve("status.png");
        run(chromium, "--virtual-time-budget=5000", "--window-size=" + WIDTH + "," + HEIGHT, "--screenshot=" + png, url);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).as("a PNG at " + png).isNotNull();
        assertThat(image.getWidth()).isEqualTo(WIDTH);
        assertThat(image.getHeight()).isEqualTo(HEIGHT);
        Set<Integer> colours = new HashSet<>();
        int header = 0;
        int green = 0;
        int red = 0;
        int chart = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                header += rgb == 0x1d3557 ? 1 : 0;
                green += rgb == 0x2a9d58 ? 1 : 0;
                red += rgb == 0xd62828 ? 1 : 0;
                chart += rgb == 0x1f6fb4 ? 1 : 0;
            }
        }
        // Rendered text has anti-aliased shades; a blank or error page has a handful of colours.
        assertThat(colours.size()).as("distinct colours").isGreaterThan(50);
        assertThat(header).as("pixels of the header bar").isGreaterThan(WIDTH * 20);
        assertThat(green).as("pixels of 'passing' badges").isGreaterThan(200);
        assertThat(red).as("pixels of the 'critical' badge").isGreaterThan(50);
        assertThat(chart).as("pixels of the calls/s lines and legend").isGreaterThan(100);
        return dom;
    }

    private static String get(String uri) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(uri))
                .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", uri, r.body()).isEqualTo(200);
        return r.body();
    }

    /** Debian's chromium, or a loud failure saying how to get it. */
    private static String chromium() {
        for (String candidate : new String[] {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
            if (new File(candidate).canExecute()) {
                return candidate;
            }
        }
        return fail("chromium is missing: the status page's browser test needs Debian's chromium; run"
                + " scripts/install-deps (it calls scripts/install-chromium)");
    }

    private String run(String chromium, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars",
                "--user-data-dir=" + Files.createTempDirectory(dir, "chromium-profile")));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "chromium", ".out");
        Path err = Files.createTempFile(dir, "chromium", ".err");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("chromium did not finish within 120 s: " + command + "\n" + Files.readString(err));
        }
        if (p.exitValue() != 0) {
            fail("chromium exited with " + p.exitValue() + ": " + command + "\n" + Files.readString(err));
        }
        return Files.readString(out, StandardCharsets.UTF_8);
    }
}

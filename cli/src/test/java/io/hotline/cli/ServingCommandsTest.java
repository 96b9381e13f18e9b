package io.hotline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Zone;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.server.RpcServer;
import io.hotline.rpc.Target;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** server, broadcaster and status: each runs for a while in the background, is used, and stops by itself. */
class ServingCommandsTest {

    @TempDir
    Path dir;

    private Cli cli;
    private EndpointStore store;

    @BeforeEach
    void open() {
        cli = new Cli(dir);
        store = cli.openStore();
    }

    @AfterEach
    void close() {
        store.close();
    }

    private Cli.Running background(String command, String... args) {
        return cli.start(command, args);
    }

    private List<EndpointStatus> registered(String service) {
        return store.list(service, Zone.of("region-one"));
    }

    @Test
    void serverServesTheEchoEndpointUntilItsTimeIsUp() {
        Cli.Running server = background("server", "--topic", "echo", "--exchange", "test",
                "--server", "cli-1", "--for", "6s", "--set", "hotline.http.drain-delay=0s");
        await().atMost(Duration.ofSeconds(30)).until(() -> !registered("test.echo").isEmpty());

        Cli.Result call = cli.run("call", "test.echo", "ping");
        assertThat(call.exitCode()).as(call.toString()).isZero();
        assertThat(call.out()).contains("\"server\" : \"cli-1\"");

        Cli.Result done = server.join();
        assertThat(done.exitCode()).as(done.toString()).isZero();
        assertThat(done.out()).contains("serving test.echo as", "in zone region-one", "for PT6S", "stopped");
        assertThat(registered("test.echo")).isEmpty();
    }

    @Test
    void serversAndBroadcastersShowTheJvmsAndTheProcesssMetrics() throws Exception {
        Cli.Running server = background("server", "--topic", "metered", "--for", "15s",
                "--set", "hotline.http.drain-delay=0s");
        Cli.Running broadcaster = background("broadcaster", "--for", "15s", "--set", "hotline.http.drain-delay=0s");
        await().atMost(Duration.ofSeconds(30)).until(() -> !registered("metered").isEmpty()
                && !registered("hotline.broadcaster").isEmpty());
        HttpClient http = HttpClient.newHttpClient();
        for (String service : List.of("metered", "hotline.broadcaster")) {
            URI metrics = URI.create(registered(service).get(0).endpoint().baseUri() + "/metrics");
            String text = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString())
                    .body();
            assertThat(text).as(service).contains("jvm_memory_used_bytes{", "jvm_threads_live_threads ",
                    "jvm_classes_loaded_classes ", "process_cpu_usage ", "process_uptime_seconds ",
                    "process_files_open_files ");
        }
        assertThat(server.join().exitCode()).isZero();
        assertThat(broadcaster.join().exitCode()).isZero();
    }

    @Test
    void serverServesAnEndpointClassByName() {
        Cli.Running server = background("server", "--topic", "echo2", "--endpoint",
                Greeter.class.getName(), "--for", "5s", "--set", "hotline.http.drain-delay=0s");
        await().atMost(Duration.ofSeconds(30)).until(() -> !registered("echo2").isEmpty());
        Cli.Result call = cli.run("call", "echo2", "greet", "--args", "{\"name\": \"Ada\"}");
        assertThat(call.out()).as(call.toString()).contains("\"hello Ada\"");
        assertThat(server.join().exitCode()).isZero();
    }

    /** An endpoint class as a user would write one. */
    public static final class Greeter {
        public String greet(String name) {
            return "hello " + name;
        }
    }

    @Test
    void serverRefusesAClassThatIsNotThere() {
        Cli.Result r = cli.run("server", "--topic", "echo", "--endpoint", "com.example.Missing");
        assertThat(r.exitCode()).isEqualTo(Hotline.USAGE);
        assertThat(r.err()).contains("no class com.example.Missing on the class path", "hint: put its jar");
    }

    @Test
    void serverNeedsATopicAndAValidOne() {
        assertThat(cli.run("server").err()).contains("Missing required option: '--topic=TOPIC'");
        Cli.Result bad = cli.run("server", "--topic", "no.dots");
        assertThat(bad.exitCode()).isEqualTo(Hotline.USAGE);
        assertThat(bad.err()).contains("topic 'no.dots' is invalid");
    }

    @Test
    void serverRefusesABadPortRange() {
        Cli.Result r = cli.run("server", "--topic", "echo", "--set", "hotline.http.port-range=9:1", "--for", "1s");
        assertThat(r.exitCode()).isEqualTo(Hotline.USAGE);
        assertThat(r.err()).contains("hotline.http.port-range");
    }

    @Test
    void serverTakesItsLimitsAndHeartbeatFromOptions() throws Exception {
        Cli.Running server = background("server", "--topic", "tuned", "--for", "4s", "--max-concurrent-calls", "3",
                "--cast-threads", "2", "--cast-queue", "5", "--grace-period", "5s", "--report-interval", "300ms",
                "--down-after", "4s", "--set", "hotline.http.drain-delay=0s");
        await().atMost(Duration.ofSeconds(30)).until(() -> !registered("tuned").isEmpty());
        // The file store keeps each registration's policy in its record.
        try (Stream<Path> files = Files.walk(dir)) {
            Path record = files.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
            assertThat(Files.readString(record)).contains("\"reportIntervalMs\" : 300", "\"downAfterMs\" : 4000");
        }
        Cli.Result done = server.join();
        assertThat(done.exitCode()).as(done.toString()).isZero();
    }

    @Test
    void serverRefusesABadLimitOrHeartbeatNamingTheOption() {
        Cli.Result threads = cli.run("server", "--topic", "echo", "--cast-threads", "0", "--for", "1s");
        assertThat(threads.exitCode()).as(threads.toString()).isEqualTo(Hotline.USAGE);
        assertThat(threads.err()).contains("hotline.rpc.cast-threads '0' (from option --cast-threads) must be a"
                + " positive whole number");
        Cli.Result heartbeat = cli.run("server", "--topic", "echo", "--down-after", "5s", "--for", "1s");
        assertThat(heartbeat.exitCode()).as(heartbeat.toString()).isEqualTo(Hotline.USAGE);
        assertThat(heartbeat.err()).contains("hotline.health.down-after '5s' (from option --down-after) leaves"
                + " down-after PT5S not longer than the report interval PT10S");
    }

    @Test
    void broadcasterRegistersUntilItsTimeIsUp() {
        Cli.Running b = background("broadcaster", "--server", "bc-1", "--for", "3s",
                "--set", "hotline.http.drain-delay=0s");
        await().atMost(Duration.ofSeconds(30)).until(() -> !registered("hotline.broadcaster").isEmpty());
        Cli.Result list = cli.run("endpoints", "hotline.broadcaster");
        assertThat(list.out()).contains("bc-1", "passing");
        Cli.Result done = b.join();
        assertThat(done.exitCode()).as(done.toString()).isZero();
        assertThat(done.out()).contains("broadcasting as", "/status/", "stopped")
                .contains("casting every fanout itself and taking no shares from peers: no hotline.broadcaster.peer-token");
    }

    @Test
    void broadcasterRefusesABadDuration() {
        Cli.Result r = cli.run("broadcaster", "--for", "forever");
        assertThat(r.exitCode()).isEqualTo(Hotline.USAGE);
        assertThat(r.err()).contains("'forever' is not a duration");
        Cli.Result zero = cli.run("broadcaster", "--for", "0s", "--set", "hotline.http.drain-delay=0s");
        assertThat(zero.exitCode()).isEqualTo(Hotline.USAGE);
        assertThat(zero.err()).contains("must be positive");
    }

    @Test
    void broadcasterTakesAPeerTokenAndRefusesABadOneWithoutQuotingIt() {
        Cli.Result bad = cli.run("broadcaster", "--for", "1s", "--set", "hotline.broadcaster.peer-token=tiny-secret");
        assertThat(bad.exitCode()).as(bad.toString()).isEqualTo(Hotline.USAGE);
        assertThat(bad.err()).contains("hotline.broadcaster.peer-token", "at least 16 characters")
                .doesNotContain("tiny-secret");
        Cli.Result good = cli.run("broadcaster", "--server", "bc-peer", "--for", "1s", "--set",
                "hotline.http.drain-delay=0s", "--set", "hotline.broadcaster.peer-token=peer-0123456789abcdef");
        assertThat(good.exitCode()).as(good.toString()).isZero();
        assertThat(good.out()).contains("broadcasting as", "stopped").doesNotContain("peer-token")
                .doesNotContain("peer-0123456789abcdef");
    }

    @Test
    void statusServesThePageAndItsJson() throws Exception {
        try (RpcServer compute = RpcServer.builder(store).target(Target.topic("compute").exchange("nova").server("c-1"))
                .endpoint(new EchoEndpoint("c-1")).zone(Zone.of("region-one/az-1")).drainDelay(Duration.ZERO).start()) {
            Cli.Running status = cli.start("status", "nova.compute", "--port", "0", "--for", "6s", "--refresh", "200ms");
            Pattern url = Pattern.compile("status page at (http://\\S+/)");
            await().atMost(Duration.ofSeconds(30)).until(() -> url.matcher(status.outSoFar()).find());
            Matcher m = url.matcher(status.outSoFar());
            assertThat(m.find()).isTrue();
            String base = m.group(1);

            assertThat(get(base)).contains("<title>Hotline status</title>", "status.js");
            assertThat(get(base + "status.js")).contains("api/status");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(get(base + "api/status"))
                    .contains("\"homeZone\":\"region-one\"", "\"name\":\"nova.compute\"", "\"server\":\"c-1\"",
                            "\"health\":\"passing\"", "\"name\":\"hotline.broadcaster\""));

            Cli.Result done = status.join();
            assertThat(done.exitCode()).as(done.toString()).isZero();
        }
    }

    @Test
    void statusWithATokenServesItsJsonOnlyWithThatToken() throws Exception {
        Cli.Running status = cli.start("status", "nova.compute", "--port", "0", "--for", "6s",
                "--set", "hotline.http.token=s3cret");
        Pattern url = Pattern.compile("status page at (http://\\S+/)");
        await().atMost(Duration.ofSeconds(30)).until(() -> url.matcher(status.outSoFar()).find());
        Matcher m = url.matcher(status.outSoFar());
        assertThat(m.find()).isTrue();
        String json = m.group(1) + "api/status";
        HttpClient http = HttpClient.newHttpClient();
        assertThat(http.send(HttpRequest.newBuilder(URI.create(json)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        HttpResponse<String> given = http.send(HttpRequest.newBuilder(URI.create(json)).header("Authorization",
                "Bearer s3cret").timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(given.statusCode()).isEqualTo(200);
        assertThat(given.body()).contains("\"refreshMillis\"");
        assertThat(status.join().exitCode()).isZero();
    }

    @Test
    void statusRefusesABadPortAndATooFastRefresh() {
        Cli.Result port = cli.run("status", "--port", "70000", "--for", "1s");
        assertThat(port.exitCode()).isEqualTo(Hotline.USAGE);
        assertThat(port.err()).contains("port 70000 is not a TCP port");
        Cli.Result refresh = cli.run("status", "--port", "0", "--refresh", "1ms", "--for", "1s");
        assertThat(refresh.exitCode()).isEqualTo(Hotline.USAGE);
        assertThat(refresh.err()).contains("at least 100ms");
    }

    static String get(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url).isEqualTo(200);
        return r.body();
    }
}

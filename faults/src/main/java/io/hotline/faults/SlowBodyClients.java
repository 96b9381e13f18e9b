package io.hotline.faults;

import io.hotline.testing.SlowBodies;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Slow-body clients holding connections to one server (each sends a call's headers and half its body, then nothing),
 * under the usual load on all three, while {@code /healthz} of that server is probed. Detected: the slowest
 * {@code /healthz} answer meanwhile.
 *
 * <p>Holds: nothing failed and every {@code /healthz} probe was answered within a second: a waiting body holds no
 * thread, so calls and health checks go on at their normal latency.
 */
final class SlowBodyClients implements Scenario {

    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);

    @Override
    public String name() {
        return "slow-body-clients";
    }

    @Override
    public boolean runsOn(String store) {
        return store.equals("file");
    }

    @Override
    public Figures run(StoreUnderTest store, Pace pace, Path dir) throws Exception {
        byte[] body = ("{\"kind\":\"call\",\"method\":\"work\",\"args\":{\"id\":\"slow\",\"millis\":1},\"pad\":\""
                + "x".repeat(900) + "\"}").getBytes(StandardCharsets.UTF_8);
        HttpClient http = HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT).proxy(HttpClient.Builder.NO_PROXY)
                .build();
        try (Fleet fleet = Fleet.start(store, pace.settings(), 3);
                Run run = Run.start(fleet, pace.load(Duration.ofMillis(1)), pace.steady())) {
            Fleet.Member victim = fleet.servers().get(0);
            run.faultStarts();
            Duration slowest = Duration.ZERO;
            int unanswered = 0;
            try (SlowBodies slow = SlowBodies.open(victim.port(), "/v1/rpc/" + Fleet.SERVICE, body, body.length / 2,
                    pace.slowBodies(), Duration.ofSeconds(30))) {
                long until = System.nanoTime() + pace.steady().multipliedBy(2).toNanos();
                while (System.nanoTime() - until < 0) {
                    long start = System.nanoTime();
                    try {
                        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(victim.uri("/healthz"))
                                .timeout(PROBE_TIMEOUT).build(), HttpResponse.BodyHandlers.discarding());
                        unanswered += r.statusCode() == 200 ? 0 : 1;
                    } catch (IOException e) {
                        unanswered++;
                    }
                    Duration took = Duration.ofNanos(System.nanoTime() - start);
                    slowest = took.compareTo(slowest) > 0 ? took : slowest;
                    run.hold(Duration.ofMillis(200));
                }
            }
            run.faultEnds();
            run.hold(pace.steady());
            return run.finish(name(), slowest, null, pace.slowBodies() + " slow bodies, " + unanswered
                    + " /healthz probes unanswered");
        }
    }

    @Override
    public List<String> violations(Figures f, Pace pace) {
        List<String> v = new ArrayList<>(RollingRestart.nothingLost(f));
        if (!f.note().endsWith(" 0 /healthz probes unanswered")) {
            v.add("/healthz did not answer every probe within " + PROBE_TIMEOUT + ": " + f.note());
        }
        return v;
    }
}

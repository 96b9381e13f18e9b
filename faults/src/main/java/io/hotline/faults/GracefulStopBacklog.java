package io.hotline.faults;

import io.hotline.rpc.RpcClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A burst of slow casts (20 ms each, two cast threads) fired at one server until its cast queue is as full as it
 * admits, then that server stopped gracefully (SIGTERM) with the backlog queued, under the usual load on all three.
 *
 * <p>Holds: every cast answered 202 runs (the queue admits only what the server can run within its grace period, and
 * refuses the rest with 503 before accepting it), nothing ran twice, and there was a backlog at the stop (else the
 * scenario tested nothing).
 */
final class GracefulStopBacklog implements Scenario {

    private static final int CAST_MILLIS = 20;

    @Override
    public String name() {
        return "graceful-stop-backlog";
    }

    @Override
    public boolean runsOn(String store) {
        return store.equals("file");
    }

    @Override
    public Figures run(StoreUnderTest store, Pace pace, Path dir) {
        Fleet.Settings settings = pace.settings().with("hotline.rpc.cast-threads", "2")
                .with("hotline.rpc.cast-queue", Integer.toString(pace.backlog()))
                .with("hotline.http.grace-period", pace == Pace.LONG ? "30s" : "3s");
        try (Fleet fleet = Fleet.start(store, settings, 3);
                Run run = Run.start(fleet, pace.load(Duration.ofMillis(1)), pace.steady())) {
            Fleet.Member victim = fleet.servers().get(0);
            run.faultStarts();
            RpcClient.Prepared toVictim = run.client().prepare(Fleet.TARGET.server(victim.name()))
                    .timeout(pace.timeout());
            List<CompletableFuture<Void>> burst = new ArrayList<>();
            List<Long> starts = new ArrayList<>();
            for (int i = 0; i < pace.backlog(); i++) {
                starts.add(System.nanoTime());
                burst.add(toVictim.castAsync("note", Map.of("id", "burst-" + i, "millis", CAST_MILLIS)));
            }
            int accepted = 0;
            for (int i = 0; i < burst.size(); i++) {
                String failure = null;
                String message = null;
                try {
                    burst.get(i).join();
                    accepted++;
                } catch (RuntimeException e) {
                    Throwable cause = e.getCause() != null ? e.getCause() : e;
                    failure = cause.getClass().getSimpleName();
                    message = cause.getMessage();
                }
                run.record(new Load.Op(false, "burst-" + i, starts.get(i), System.nanoTime(), failure, message));
            }
            int ranAtStop = (int) fleet.ledger().casts().keySet().stream().filter(id -> id.startsWith("burst-"))
                    .count();
            victim.process().stop();
            run.faultEnds();
            run.hold(pace.steady());
            return run.finish(name(), null, null, "burst " + pace.backlog() + ", accepted " + accepted
                    + ", backlog at stop " + Math.max(0, accepted - ranAtStop));
        }
    }

    @Override
    public List<String> violations(Figures f, Pace pace) {
        List<String> v = new ArrayList<>();
        if (f.castsLost() > 0) {
            v.add(f.castsLost() + " casts answered 202 never ran: a graceful stop dropped them");
        }
        if (f.castsDuplicated() > 0) {
            v.add(f.castsDuplicated() + " operations ran more than once");
        }
        if (f.note().endsWith("backlog at stop 0")) {
            v.add("no backlog was queued when the server stopped, so the drain was not tested");
        }
        return v;
    }
}

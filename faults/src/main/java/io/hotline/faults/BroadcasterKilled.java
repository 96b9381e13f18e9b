package io.hotline.faults;

import io.hotline.rpc.FanoutReport;
import io.hotline.rpc.RpcClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A broadcaster killed ({@code kill -9}) in the middle of a fanout: one of the three servers is frozen (SIGSTOP), so the
 * fanout waits on it after the other two have the cast, and the broadcaster is killed then; the frozen server is let
 * go afterwards. Repeated with a new broadcaster each time. No other load: the fault is the fanout's.
 *
 * <p>Holds: the client asking for a report is never told the fanout succeeded, and is told it broke mid-way and that
 * servers may already have it; no server ran a fanout twice; the two live servers had it before the kill.
 */
final class BroadcasterKilled implements Scenario {

    @Override
    public String name() {
        return "broadcaster-killed";
    }

    @Override
    public boolean runsOn(String store) {
        return store.equals("file");
    }

    @Override
    public Figures run(StoreUnderTest store, Pace pace, Path dir) throws Exception {
        long start = System.nanoTime();
        List<Load.Op> ops = new ArrayList<>();
        int toldBroken = 0;
        try (Fleet fleet = Fleet.start(store, pace.settings(), 3);
                RpcClient client = fleet.client(Duration.ofSeconds(30))) {
            Fleet.Member frozen = fleet.servers().get(2);
            long faultStart = System.nanoTime();
            for (int k = 0; k < pace.fanoutKills(); k++) {
                Fleet.Member broadcaster = fleet.startBroadcaster();
                String id = "fanout-" + k;
                frozen.process().pause();
                long sent = System.nanoTime();
                CompletableFuture<FanoutReport> report = client.prepare(Fleet.TARGET.asFanout())
                        .fanoutWithReportAsync("note", Map.of("id", id, "millis", 0));
                Fleet.await("the live servers to run " + id, Duration.ofSeconds(30),
                        () -> fleet.ledger().ran(false, id) >= 2);
                broadcaster.process().kill();
                String failure = null;
                String message = null;
                try {
                    report.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause() instanceof CompletionException c ? c.getCause() : e.getCause();
                    failure = cause.getClass().getSimpleName();
                    message = cause.getMessage();
                    toldBroken += message != null && message.contains("broke") && message.contains("may already")
                            ? 1 : 0;
                }
                frozen.process().resume();
                ops.add(new Load.Op(false, id, sent, System.nanoTime(), failure, message));
            }
            long faultEnd = System.nanoTime();
            // The frozen server reads what waited in its socket once let go: until every fanout is on all three, or
            // the records are quiet.
            int fanouts = pace.fanoutKills();
            fleet.settle(l -> l.casts().values().stream().mapToInt(Integer::intValue).sum() >= 3 * fanouts);
            Ledger ledger = Ledger.mostByOneServer(fleet.servers().stream().map(Fleet.Member::record).toList());
            return Figures.of(name(), store.name(), ops, ledger, new Figures.Window(start, faultStart, faultEnd,
                    System.nanoTime()), null, null, pace.fanoutKills() + " kills, " + toldBroken
                    + " told it broke mid-way");
        }
    }

    @Override
    public List<String> violations(Figures f, Pace pace) {
        List<String> v = new ArrayList<>();
        if (f.castsAccepted() > 0) {
            v.add(f.castsAccepted() + " fanouts were reported a success though their broadcaster was killed");
        }
        if (!f.note().endsWith(pace.fanoutKills() + " told it broke mid-way")) {
            v.add("not every client was told the fanout broke mid-way and servers may have it: " + f.note() + "; "
                    + f.failures());
        }
        if (f.castsDuplicated() > 0) {
            v.add(f.castsDuplicated() + " servers ran a fanout twice");
        }
        return v;
    }
}

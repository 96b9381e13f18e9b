package io.hotline.faults;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code kill -9} of one server of three under load, then the server started again. Detected: from the kill until the
 * store no longer lists it passing (its down-after at most). Recovered: from the kill until it is listed again.
 *
 * <p>Holds: no call or cast ran twice; at most one operation per caller failed (the one in flight on the killed server;
 * a refused connection is tried on another server); what the killed server had accepted and not yet started is the only
 * loss a kill -9 may cause (its in-memory cast queue), so lost casts are at most one per caller.
 */
final class KillServer implements Scenario {

    @Override
    public String name() {
        return "kill-server";
    }

    @Override
    public boolean runsOn(String store) {
        return true;
    }

    @Override
    public Figures run(StoreUnderTest store, Pace pace, Path dir) {
        try (Fleet fleet = Fleet.start(store, pace.settings(), 3);
                Run run = Run.start(fleet, pace.load(Duration.ofMillis(1)), pace.steady())) {
            Fleet.Member victim = fleet.servers().get(0);
            run.faultStarts();
            victim.process().kill();
            Fleet.await(victim.name() + " no longer listed passing", pace.downAfter().multipliedBy(3),
                    () -> !fleet.listed().contains(victim.name()));
            Duration detected = run.sinceFault();
            victim.process().start();
            fleet.awaitListed(Set.of(victim.name()), Duration.ofSeconds(60));
            Duration recovered = run.sinceFault();
            run.faultEnds();
            run.hold(pace.steady());
            return run.finish(name(), detected, recovered, null);
        }
    }

    @Override
    public List<String> violations(Figures f, Pace pace) {
        List<String> v = new ArrayList<>();
        if (f.castsDuplicated() > 0) {
            v.add(f.castsDuplicated() + " operations ran more than once");
        }
        if (f.callsFailed() + f.castsFailed() > pace.callers()) {
            v.add((f.callsFailed() + f.castsFailed()) + " operations failed; at most one per caller ("
                    + pace.callers() + ") was in flight on the killed server");
        }
        if (f.castsLost() > pace.callers()) {
            v.add(f.castsLost() + " accepted casts were lost; a kill -9 loses only the killed server's queue");
        }
        return v;
    }
}

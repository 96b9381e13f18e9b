package io.hotline.faults;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Every server of three stopped gracefully (SIGTERM) and started again, one after the other, under load. Recovered:
 * from the first stop until the last server is listed passing again.
 *
 * <p>Holds: nothing failed, nothing was lost, nothing ran twice. A stopping server deregisters first and serves on for
 * its drain delay, finishes what it accepted, and a client that still picks it is refused and tries another.
 */
final class RollingRestart implements Scenario {

    @Override
    public String name() {
        return "rolling-restart";
    }

    @Override
    public boolean runsOn(String store) {
        return true;
    }

    @Override
    public Figures run(StoreUnderTest store, Pace pace, Path dir) {
        try (Fleet fleet = Fleet.start(store, pace.settings(), 3);
                Run run = Run.start(fleet, pace.load(Duration.ofMillis(1)), pace.steady())) {
            run.faultStarts();
            for (Fleet.Member server : fleet.servers()) {
                server.process().restart();
                fleet.awaitListed(Set.of(server.name()), Duration.ofSeconds(60));
            }
            Duration recovered = run.sinceFault();
            run.faultEnds();
            run.hold(pace.steady());
            return run.finish(name(), null, recovered, null);
        }
    }

    @Override
    public List<String> violations(Figures f, Pace pace) {
        return nothingLost(f);
    }

    /** The promise of every fault the fleet should ride out: no failure, no loss, no duplicate. */
    static List<String> nothingLost(Figures f) {
        List<String> v = new ArrayList<>();
        if (f.callsFailed() + f.castsFailed() > 0) {
            v.add((f.callsFailed() + f.castsFailed()) + " operations failed: " + f.failures());
        }
        if (f.castsLost() > 0) {
            v.add(f.castsLost() + " accepted casts were lost");
        }
        if (f.castsDuplicated() > 0) {
            v.add(f.castsDuplicated() + " operations ran more than once");
        }
        return v;
    }
}

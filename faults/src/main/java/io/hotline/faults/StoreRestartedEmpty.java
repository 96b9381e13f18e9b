package io.hotline.faults;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The store emptied under load, several times (the window in which a client could see no server showed in only some
 * restarts): a server restarted without its data, or the file store's records deleted. Every server is alive
 * throughout. Recovered: the longest time, over the restarts, until the store listed every server again.
 *
 * <p>Holds: nothing failed (an empty first answer after a store failure is not believed while the servers it dropped
 * may still be re-registering), nothing was lost, nothing ran twice.
 */
final class StoreRestartedEmpty implements Scenario {

    @Override
    public String name() {
        return "store-restarted-empty";
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
            Duration longest = Duration.ZERO;
            for (int i = 0; i < pace.restarts(); i++) {
                store.wipe();
                long emptied = System.nanoTime();
                fleet.awaitListed(fleet.serverNames(), pace.reportInterval().multipliedBy(3).plusSeconds(30));
                Duration back = Duration.ofNanos(System.nanoTime() - emptied);
                longest = back.compareTo(longest) > 0 ? back : longest;
                run.hold(pace.steady());
            }
            run.faultEnds();
            run.hold(pace.steady());
            return run.finish(name(), null, longest, pace.restarts() + " restarts");
        }
    }

    @Override
    public List<String> violations(Figures f, Pace pace) {
        return RollingRestart.nothingLost(f);
    }
}

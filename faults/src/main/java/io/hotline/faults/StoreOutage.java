package io.hotline.faults;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The store down for a while under load (its server process stopped), then back, empty (neither the test's Redis
 * nor Consul's dev agent keeps data). Clients serve the endpoints they last knew meanwhile; servers register again at
 * their next heartbeat. Recovered: from the store's return until it lists every server again. Stores without a server
 * (file) have no such outage.
 *
 * <p>Holds: nothing failed, nothing was lost, nothing ran twice.
 */
final class StoreOutage implements Scenario {

    @Override
    public String name() {
        return "store-outage";
    }

    @Override
    public boolean runsOn(String store) {
        // A store with a server that can be down; the file store is a directory.
        return !store.equals("file");
    }

    @Override
    public Figures run(StoreUnderTest store, Pace pace, Path dir) {
        if (!(store instanceof StoreUnderTest.Server server)) {
            throw new IllegalArgumentException("the " + store.name() + " store has no server to take down");
        }
        try (Fleet fleet = Fleet.start(store, pace.settings(), 3);
                Run run = Run.start(fleet, pace.load(Duration.ofMillis(1)), pace.steady())) {
            run.faultStarts();
            server.stop();
            run.hold(pace.outage());
            server.start();
            long back = System.nanoTime();
            fleet.awaitListed(fleet.serverNames(), pace.reportInterval().multipliedBy(3).plusSeconds(30));
            Duration recovered = Duration.ofNanos(System.nanoTime() - back);
            run.faultEnds();
            run.hold(pace.steady());
            return run.finish(name(), null, recovered, "down " + pace.outage().toSeconds() + " s");
        }
    }

    @Override
    public List<String> violations(Figures f, Pace pace) {
        return RollingRestart.nothingLost(f);
    }
}

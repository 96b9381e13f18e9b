package io.hotline.faults;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One server of three frozen with SIGSTOP under load, as a hung host is, then let go (SIGCONT). Its connections are
 * still accepted by the kernel, so a client sees no refusal, only silence. The servers' down-after is three times the
 * hang, so the store does not notice: the client copes alone. Detected: from the freeze until the store no longer
 * lists it passing (null: not within the hang).
 *
 * <p>Holds: a caller pays a few timeouts, not its throughput: the client ejects a server that timed out and tries it
 * again later, so at most three operations per caller fail and the fleet serves at least half its rate meanwhile; and
 * nothing ran twice. Operations that timed out may still run after SIGCONT if they were in the frozen server's socket
 * buffers (it cannot know how long they waited there): counted as "failed but ran".
 */
final class HungServer implements Scenario {

    @Override
    public String name() {
        return "hung-server";
    }

    @Override
    public boolean runsOn(String store) {
        return store.equals("file");
    }

    @Override
    public Figures run(StoreUnderTest store, Pace pace, Path dir) {
        // The store must not notice within the hang (as with the default down-after of 60 s and a 20 s hang): what is
        // measured is how the client copes alone.
        Fleet.Settings settings = Fleet.Settings.of(pace.reportInterval(), pace.hang().multipliedBy(3));
        try (Fleet fleet = Fleet.start(store, settings, 3);
                Run run = Run.start(fleet, pace.loadForHang(), pace.steady())) {
            Fleet.Member victim = fleet.servers().get(0);
            run.faultStarts();
            victim.process().pause();
            Duration detected = null;
            long until = System.nanoTime() + pace.hang().toNanos();
            while (System.nanoTime() - until < 0) {
                run.hold(Duration.ofMillis(100));
                if (detected == null && !fleet.listed().contains(victim.name())) {
                    detected = run.sinceFault();
                }
            }
            victim.process().resume();
            run.faultEnds();
            run.hold(pace.steady());
            return run.finish(name(), detected, null, "frozen " + pace.hang().toSeconds() + " s");
        }
    }

    @Override
    public List<String> violations(Figures f, Pace pace) {
        List<String> v = new ArrayList<>();
        int failed = f.callsFailed() + f.castsFailed();
        if (failed > 3 * pace.callers()) {
            v.add(failed + " operations failed; a caller should pay at most three timeouts (" + 3 * pace.callers()
                    + " for " + pace.callers() + " callers): " + f.failures());
        }
        if (f.perSecondDuring() < f.perSecondBefore() / 2) {
            v.add(String.format("%.0f operations/s during the hang against %.0f before: one hung server of three"
                    + " took more than half the throughput", f.perSecondDuring(), f.perSecondBefore()));
        }
        if (f.castsDuplicated() > 0) {
            v.add(f.castsDuplicated() + " operations ran more than once");
        }
        if (f.castsLost() > 0) {
            v.add(f.castsLost() + " accepted casts were lost (the frozen server runs them once let go)");
        }
        return v;
    }
}

package io.hotline.faults;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * More calls than the servers take: three servers of four concurrent calls each, a method of 200 ms, and callers
 * asking for about twenty at once.
 *
 * <p>Holds: a server beyond its limit refuses (503 ServerBusy, Retry-After) before running anything, and the client
 * tries another server or reports ServerBusy; nothing times out, no refused call ran, no accepted cast was lost,
 * nothing ran twice.
 */
final class Overload implements Scenario {

    static final int SLOTS = 4;

    @Override
    public String name() {
        return "overload";
    }

    @Override
    public boolean runsOn(String store) {
        return store.equals("file");
    }

    @Override
    public Figures run(StoreUnderTest store, Pace pace, Path dir) {
        Fleet.Settings settings = pace.settings().with("hotline.rpc.max-concurrent-calls", Integer.toString(SLOTS))
                .with("hotline.http.grace-period", "3s");
        Load.Shape shape = new Load.Shape(20, Duration.ofMillis(100), Duration.ofMillis(200), pace.timeout());
        try (Fleet fleet = Fleet.start(store, settings, 3)) {
            // Steady means overloaded here: the fault is the load itself.
            try (Run run = Run.start(fleet, shape, Duration.ofSeconds(1))) {
                run.faultStarts();
                run.hold(pace.steady().multipliedBy(2));
                run.faultEnds();
                return run.finish(name(), null, null, "20 callers, 3 x " + SLOTS + " slots, 200 ms");
            }
        }
    }

    @Override
    public List<String> violations(Figures f, Pace pace) {
        List<String> v = new ArrayList<>();
        for (Map.Entry<String, Integer> e : f.failures().entrySet()) {
            if (!e.getKey().endsWith(" ServerBusy")) {
                v.add(e.getValue() + " x " + e.getKey() + ": an overloaded server must refuse, not time out or break");
            }
        }
        if (f.callsFailedButRan() > 0) {
            v.add(f.callsFailedButRan() + " calls the client was told failed ran all the same");
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

package io.hotline.faults;

import java.time.Duration;

/**
 * How long and how hard a run is. {@link #SHORT} is what CI runs (seconds per scenario); {@link #LONG} is the
 * documented long run ({@code scripts/fault-suite}): the issue's own figures (a 60 s store outage, a 20 s hang, 1,000
 * slow bodies, a full cast queue of 10,000) with the default health timing (report every 10 s, down after 60 s).
 *
 * @param steady load before the fault, and again after it
 * @param outage how long a store stays down
 * @param hang how long a server stays frozen (SIGSTOP)
 * @param restarts how many times the store is restarted empty
 * @param slowBodies slow-body connections held against one server
 * @param backlog casts fired at one server before it is stopped gracefully
 * @param fanoutKills broadcasters killed mid-fanout
 * @param reportInterval the servers' heartbeat interval
 * @param downAfter a server not heard from this long is critical
 * @param timeout the callers' call timeout
 */
record Pace(String name, Duration steady, Duration outage, Duration hang, int restarts, int slowBodies, int backlog,
        int fanoutKills, Duration reportInterval, Duration downAfter, Duration timeout, int callers, Duration every) {

    static final Pace SHORT = new Pace("short", Duration.ofMillis(1500), Duration.ofSeconds(3), Duration.ofSeconds(6),
            2, 200, 2_000, 1, Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(2), 6,
            Duration.ofMillis(20));

    static final Pace LONG = new Pace("long", Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(20),
            4, 1_000, 10_000, 5, Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(10), 12,
            Duration.ofMillis(10));

    Fleet.Settings settings() {
        return Fleet.Settings.of(reportInterval, downAfter);
    }

    /** The callers' load: {@code work} per method, each caller one operation every {@link #every}. */
    Load.Shape load(Duration work) {
        return new Load.Shape(callers, every, work, timeout);
    }

    /**
     * The load for a hang: a timeout of at most a sixth of the hang, so that a client that never stopped picking the
     * frozen server would pay many timeouts in it, and one that does pays few.
     */
    Load.Shape loadForHang() {
        Duration sixth = hang.dividedBy(6);
        return new Load.Shape(callers, every, Duration.ofMillis(1), timeout.compareTo(sixth) < 0 ? timeout : sixth);
    }
}

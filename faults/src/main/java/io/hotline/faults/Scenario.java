package io.hotline.faults;

import java.nio.file.Path;
import java.util.List;

/**
 * One fault, injected into a fresh fleet under load; each scenario is a class of its own, and says both what it
 * measures and what must hold ({@link #violations}), which the CI test asserts and the long run prints.
 */
interface Scenario {

    /** The name used on the command line and in reports, e.g. {@code kill-server}. */
    String name();

    /**
     * Whether it runs against {@code store}: scenarios whose fault is in the store run on every store that can have
     * it; scenarios whose fault is in a server, a client or the broadcaster run on the file store only, as the store
     * plays no part in them.
     */
    boolean runsOn(String store);

    Figures run(StoreUnderTest store, Pace pace, Path dir) throws Exception;

    /** What broke the scenario's promise in {@code figures}; empty if it held. */
    List<String> violations(Figures figures, Pace pace);

    /** Every scenario, in the order the suite runs them. */
    static List<Scenario> all() {
        return List.of(new KillServer(), new RollingRestart(), new StoreOutage(), new StoreRestartedEmpty(),
                new HungServer(), new Overload(), new GracefulStopBacklog(), new SlowBodyClients(),
                new BroadcasterKilled());
    }
}

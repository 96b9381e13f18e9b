package io.hotline.faults;

import io.hotline.rpc.RpcClient;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One scenario's run: a fleet, a client of its store and callers loading it, with the moments that divide the run into
 * before, during and after the fault. A scenario marks {@link #faultStarts()} and {@link #faultEnds()} around what it
 * does, and {@link #finish} stops the load, waits for what the servers still run, and counts.
 */
final class Run implements AutoCloseable {

    private final Fleet fleet;
    private final RpcClient client;
    private final Load load;
    private final Load.Shape shape;
    private final long loadStart;
    private long faultStart;
    private long faultEnd;

    private Run(Fleet fleet, RpcClient client, Load load, Load.Shape shape, long loadStart) {
        this.fleet = fleet;
        this.client = client;
        this.load = load;
        this.shape = shape;
        this.loadStart = loadStart;
    }

    /** Starts the load on {@code fleet}, warms it up, and lets it run steadily for {@code steady}. */
    static Run start(Fleet fleet, Load.Shape shape, Duration steady) {
        RpcClient client = fleet.client(shape.timeout());
        Load load = Load.start(client, Fleet.TARGET, shape);
        try {
            // A warm-up first, not counted in the rate before the fault: a new client and new servers are slow at
            // first.
            long warm = 5L * shape.callers();
            Fleet.await(warm + " operations to succeed (warm-up)", Duration.ofSeconds(60),
                    () -> load.succeeded() >= warm);
            Run run = new Run(fleet, client, load, shape, System.nanoTime());
            run.hold(steady);
            return run;
        } catch (RuntimeException e) {
            load.close();
            client.close();
            throw e;
        }
    }

    /**
     * Lets the load run for {@code duration}: the length of a phase of the scenario, not a wait for a condition;
     * fails if no operation succeeded in it at all, as the fleet is not serving.
     */
    void hold(Duration duration) {
        long before = load.succeeded();
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted in a phase of the scenario", e);
        }
        if (load.succeeded() == before && faultStart == 0) {
            throw new IllegalStateException("no operation succeeded in " + duration + " of steady load");
        }
    }

    /** Counts an operation the scenario made itself with the others. */
    void record(Load.Op op) {
        load.record(op);
    }

    RpcClient client() {
        return client;
    }

    long faultStarts() {
        faultStart = System.nanoTime();
        return faultStart;
    }

    long faultEnds() {
        faultEnd = System.nanoTime();
        return faultEnd;
    }

    /** The time since the fault started. */
    Duration sinceFault() {
        return Duration.ofNanos(System.nanoTime() - faultStart);
    }

    /**
     * Stops the load, waits until every accepted cast has run or the servers' records stop growing
     * ({@link Fleet#settle}), and counts.
     */
    Figures finish(String scenario, Duration detected, Duration recovered, String note) {
        long loadEnd = System.nanoTime();
        List<Load.Op> ops = load.stop(shape.timeout());
        Set<String> accepted = ops.stream().filter(op -> !op.call() && op.ok()).map(Load.Op::id)
                .collect(Collectors.toSet());
        Ledger ledger = fleet.settle(l -> allRan(l, accepted));
        return Figures.of(scenario, fleet.store().name(), ops, ledger,
                new Figures.Window(loadStart, faultStart, faultEnd == 0 ? loadEnd : faultEnd, loadEnd), detected,
                recovered, note);
    }

    private static boolean allRan(Ledger ledger, Set<String> casts) {
        return casts.stream().allMatch(id -> ledger.ran(false, id) > 0);
    }

    @Override
    public void close() {
        load.close();
        client.close();
    }
}

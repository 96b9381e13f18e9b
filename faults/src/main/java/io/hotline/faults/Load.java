package io.hotline.faults;

import io.hotline.rpc.RpcClient;
import io.hotline.rpc.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Callers on their own threads, each alternating a call and a cast to the fleet's service at a steady pace, every one
 * with an id of its own ({@code <caller>-<n>}), and every outcome kept as an {@link Op}: the suite counts from these,
 * and from what the servers recorded.
 */
final class Load implements AutoCloseable {

    /** One call or cast: when it started and ended (nanoTime), and the failure's type, or null if it succeeded. */
    record Op(boolean call, String id, long start, long end, String failure, String message) {
        boolean ok() {
            return failure == null;
        }
    }

    /** What the callers do: how many, how often each, how long the methods take, the call timeout. */
    record Shape(int callers, Duration every, Duration work, Duration timeout) {}

    private final Queue<Op> ops = new ConcurrentLinkedQueue<>();
    private final List<Thread> callers = new ArrayList<>();
    private final AtomicLong succeeded = new AtomicLong();
    private volatile boolean stopped;

    private Load(RpcClient client, Target target, Shape shape) {
        for (int c = 0; c < shape.callers(); c++) {
            String name = "caller" + c;
            Thread t = new Thread(() -> drive(client, target, shape, name), "faults-" + name);
            t.setDaemon(true);
            callers.add(t);
        }
    }

    static Load start(RpcClient client, Target target, Shape shape) {
        Load load = new Load(client, target, shape);
        load.callers.forEach(Thread::start);
        return load;
    }

    private void drive(RpcClient client, Target target, Shape shape, String name) {
        RpcClient.Prepared prepared = client.prepare(target).timeout(shape.timeout());
        long every = shape.every().toNanos();
        int millis = (int) shape.work().toMillis();
        long next = System.nanoTime();
        for (long n = 0; !stopped; n++) {
            String id = name + "-" + n;
            boolean call = n % 2 == 0;
            long start = System.nanoTime();
            try {
                if (call) {
                    prepared.call("work", Map.of("id", id, "millis", millis), String.class);
                } else {
                    prepared.cast("note", Map.of("id", id, "millis", millis));
                }
                ops.add(new Op(call, id, start, System.nanoTime(), null, null));
                succeeded.incrementAndGet();
            } catch (RuntimeException e) {
                ops.add(new Op(call, id, start, System.nanoTime(), e.getClass().getSimpleName(), e.getMessage()));
            }
            // A steady pace, not a fixed wait for a condition: a caller that fell behind goes on at once.
            next += every;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            } else {
                next = System.nanoTime();
            }
        }
    }

    /** Stops the callers after their current operation (each ends within the call timeout) and returns every op. */
    List<Op> stop(Duration timeout) {
        stopped = true;
        for (Thread t : callers) {
            try {
                t.join(timeout.toMillis() + TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (t.isAlive()) {
                throw new IllegalStateException(t.getName() + " did not finish its operation within " + timeout
                        + " plus 10 s: a call outlived its timeout");
            }
        }
        return List.copyOf(ops);
    }

    /** Adds an operation made outside the callers (a burst a scenario fires), to be counted with theirs. */
    void record(Op op) {
        ops.add(op);
    }

    /** How many operations have succeeded so far. */
    long succeeded() {
        return succeeded.get();
    }

    @Override
    public void close() {
        stopped = true;
    }
}

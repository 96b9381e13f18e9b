package io.hotline.cli;

import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import picocli.CommandLine.Option;

/** How long a serving command runs: until interrupted (Ctrl-C, SIGTERM), or for {@code --for}. */
final class RunOptions {

    @Option(names = "--for", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop by itself after this long (e.g. 30s); default: run until Ctrl-C or SIGTERM.")
    Duration runFor;

    /**
     * Runs until it is time to stop, then closes {@code running}: after {@code --for}, or on Ctrl-C / SIGTERM from the
     * JVM's shutdown hook (deregistering and draining before the process ends), whichever comes first.
     */
    private void runThenClose(AutoCloseable running) throws Exception {
        AtomicBoolean closing = new AtomicBoolean();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            try {
                if (closing.compareAndSet(false, true)) {
                    running.close();
                }
            } catch (Exception e) {
                System.err.println("hotline: stopping failed: " + e);
            } finally {
                stopped.countDown();
            }
        }, "hotline-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        if (runFor == null || stopped.await(runFor.toMillis(), TimeUnit.MILLISECONDS)) {
            stopped.await();
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            stopped.await();
            return;
        }
        if (closing.compareAndSet(false, true)) {
            running.close();
        }
    }

    /**
     * Opens the store, starts what {@code start} makes with it, prints {@code describe} of it, runs until it is time
     * to stop, then closes it and the store. A failed start closes the store.
     */
    <T extends AutoCloseable> void serve(HotlineConfig config, PrintWriter out, Function<EndpointStore, T> start,
            Function<T, String> describe) throws Exception {
        if (runFor != null && (runFor.isNegative() || runFor.isZero())) {
            throw CliException.usage("--for " + runFor + " must be positive", "write e.g. --for 30s");
        }
        EndpointStore store = ConfigOptions.openStore(config);
        T running;
        try {
            running = start.apply(store);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        out.println(describe.apply(running) + " (store " + config.storeName() + ")" + until());
        out.flush();
        runThenClose(() -> {
            try (store) {
                running.close();
            }
        });
    }

    /** How the started line ends: how long the command runs. */
    String until() {
        return runFor != null ? " for " + runFor : "; Ctrl-C stops";
    }
}

package io.hotline.cli;

import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine;

/** Runs the hotline command in this JVM on a private file store, capturing what it prints. */
final class Cli {

    record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    private final Path storeDir;

    Cli(Path storeDir) {
        this.storeDir = storeDir;
    }

    /** The options that point a command at this test's store, in zone {@code region-one}. */
    List<String> storeOptions() {
        return List.of("--store", "file", "--zone", "region-one", "--set", "hotline.file.dir=" + storeDir,
                "--set", "hotline.file.poll-interval=100ms");
    }

    /** {@code command} with this test's store options after it, then {@code args}. */
    Result run(String command, String... args) {
        List<String> all = new ArrayList<>();
        all.add(command);
        all.addAll(storeOptions());
        all.addAll(List.of(args));
        return raw(all.toArray(String[]::new));
    }

    /** Exactly these arguments. */
    static Result raw(String... args) {
        return new Running(args).run();
    }

    /** Starts {@code command} with this test's store options in the background; its output can be read meanwhile. */
    Running start(String command, String... args) {
        List<String> all = new ArrayList<>();
        all.add(command);
        all.addAll(storeOptions());
        all.addAll(List.of(args));
        Running running = new Running(all.toArray(String[]::new));
        running.done = CompletableFuture.supplyAsync(running::run);
        return running;
    }

    /** One run of the command; StringWriter is synchronized, so its output can be read while it runs. */
    static final class Running {
        private final String[] args;
        private final StringWriter out = new StringWriter();
        private final StringWriter err = new StringWriter();
        private CompletableFuture<Result> done;

        Running(String[] args) {
            this.args = args;
        }

        private Result run() {
            CommandLine cli = Hotline.commandLine();
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            int code = cli.execute(args);
            return new Result(code, out.toString(), err.toString());
        }

        String outSoFar() {
            return out.toString();
        }

        Result join() {
            return done.join();
        }
    }

    /** The same store, opened for the test's own servers. */
    EndpointStore openStore() {
        return StoreProviders.load().open(HotlineConfig.of(Map.of("hotline.store", "file", "hotline.zone", "region-one",
                "hotline.file.dir", storeDir.toString(), "hotline.file.poll-interval", "100ms")));
    }
}

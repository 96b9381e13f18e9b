package io.hotline.cli;

import io.hotline.discovery.config.HotlineConfig;
import io.hotline.tck.EndpointStoreCompatibilityKit;
import io.hotline.tck.TckRunner;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hotline tck}: the store conformance kit against the configured store, as {@code bin/hotline-tck} runs it. */
@Command(name = "tck", mixinStandardHelpOptions = true,
        description = {"Run the store TCK (the contracts registration, health, watch, zones, failure and concurrency)"
                + " against the configured store and print a report per contract.",
                "The store's test fixture must be on the class path: memory, file, consul, redis, dns and keystone"
                        + " ship with it (consul, redis, dns and keystone start real servers: the consul and"
                        + " redis-server binaries on the PATH, BIND's named in /usr/sbin, Debian's keystone and uwsgi"
                        + " packages; scripts/install-deps installs them). A plugin's store and fixture come on the"
                        + " class path with HOTLINE_CLASSPATH (see bin/hotline). Exit code 1 if a contract fails."})
final class TckCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions configOptions;

    @Option(names = {"-c", "--contract"}, paramLabel = "NAME", split = ",", completionCandidates = Contracts.class,
            description = "Run only this contract group (repeatable, or comma-separated): ${COMPLETION-CANDIDATES}."
                    + " Default: all.")
    List<String> contracts = List.of();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The contract names {@code --contract} takes, for the help text. */
    static final class Contracts implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return EndpointStoreCompatibilityKit.CONTRACTS.iterator();
        }
    }

    @Override
    public Integer call() {
        HotlineConfig config = configOptions.config();
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        int code;
        try (PrintStream out = new PrintStream(report, true, StandardCharsets.UTF_8)) {
            code = TckRunner.run(config, contracts, out);
        }
        String text = report.toString(StandardCharsets.UTF_8);
        if (code == 2) {
            String contractNames = String.join("|", EndpointStoreCompatibilityKit.CONTRACTS);
            throw CliException.usage(text.strip(), "pick a store with a fixture and a contract the kit has:"
                    + " --store file or --store memory, --contract " + contractNames + "; a plugin's jars, with its"
                    + " TckFixtureProvider and its dependencies, go on the class path with HOTLINE_CLASSPATH");
        }
        spec.commandLine().getOut().print(text);
        return code == 0 ? Hotline.OK : Hotline.FAILED;
    }
}

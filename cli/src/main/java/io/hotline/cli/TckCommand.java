package io.hotline.cli;

import io.hotline.discovery.config.HotlineConfig;
import io.hotline.tck.TckRunner;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code hotline tck}: the store conformance kit against the configured store, as {@code bin/hotline-tck} runs it. */
@Command(name = "tck", mixinStandardHelpOptions = true,
        description = {"Run the store TCK (every contract: registration, health, watch, zones, failure) against the"
                + " configured store and print a report per contract.",
                "The store's test fixture must be on the class path (memory and file ship with it)."
                        + " Exit code 1 if a contract fails."})
final class TckCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions configOptions;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        HotlineConfig config = configOptions.config();
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        int code;
        try (PrintStream out = new PrintStream(report, true, StandardCharsets.UTF_8)) {
            code = TckRunner.run(config, out);
        }
        String text = report.toString(StandardCharsets.UTF_8);
        if (code == 2) {
            throw CliException.usage(text.strip(), "pick a store with a fixture: --store file or --store memory,"
                    + " or put the plugin's jar with its TckFixtureProvider on the class path");
        }
        spec.commandLine().getOut().print(text);
        return code == 0 ? Hotline.OK : Hotline.FAILED;
    }
}

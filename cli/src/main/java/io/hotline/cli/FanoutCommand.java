package io.hotline.cli;

import io.hotline.discovery.Untrusted;
import io.hotline.discovery.Zone;
import io.hotline.discovery.ZoneScope;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.rpc.FanoutReport;
import io.hotline.rpc.Target;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hotline fanout}: a cast to every server of a service, through a broadcaster, with its report. */
@Command(name = "fanout", mixinStandardHelpOptions = true,
        description = {"Cast METHOD to every healthy server of SERVICE through a broadcaster (hotline broadcaster)"
                + " and print what each server did.",
                "Exit code 1 if a server did not get it."})
final class FanoutCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions configOptions;

    @Mixin
    TargetOptions targetOptions;

    @Option(names = "--zones", paramLabel = "SCOPE", defaultValue = "home",
            description = "home (the broadcaster's zone), all, or one zone path; default: ${DEFAULT-VALUE}.")
    String zones;

    @Option(names = "--report", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Wait for every server's outcome and print it (default); --no-report returns once the"
                    + " broadcaster has started the casts.")
    boolean report;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        HotlineConfig config = configOptions.config();
        Target target = targetOptions.target().asFanout();
        ZoneScope scope = switch (zones) {
            case "home" -> ZoneScope.home();
            case "all" -> ZoneScope.all();
            default -> ZoneScope.in(Zone.of(zones));
        };
        Map<String, Object> args = targetOptions.arguments();
        PrintWriter out = spec.commandLine().getOut();
        if (!report) {
            ConfigOptions.withClient(config, client -> {
                client.prepare(target).fanoutScope(scope).cast(targetOptions.method, args);
                return null;
            });
            out.println("fanout " + targetOptions.method + " to " + target.service() + ": started");
            return Hotline.OK;
        }
        FanoutReport r = ConfigOptions.withClient(config,
                client -> client.prepare(target).fanoutScope(scope).fanoutWithReport(targetOptions.method, args));
        out.printf(Locale.ROOT, "fanout %s to %s: %d targeted, %d delivered, %d failed%s%n", targetOptions.method,
                target.service(), r.targeted(), r.delivered(), r.failed(),
                r.note() != null ? " (" + Untrusted.escape(r.note()) + ")" : "");
        // The report is the broadcaster's: quote what it says, so it cannot write to the terminal as it likes.
        for (FanoutReport.Delivery d : r.results()) {
            String reason = d.reason() != null ? "  " + Untrusted.escape(d.reason()) : "";
            out.printf(Locale.ROOT, "  %-32s %-20s %s%s%n", Untrusted.escape(d.id()), Untrusted.escape(d.server()),
                    d.outcome().name().toLowerCase(Locale.ROOT), reason);
        }
        return r.failed() == 0 ? Hotline.OK : Hotline.FAILED;
    }
}

package io.hotline.cli;

import io.hotline.discovery.config.HotlineConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hotline status}: serves the live status page for some services. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Serve the live status page: zones, the endpoints of SERVICE... (and every broadcaster) with"
                + " health, calls per second and latency per service, fanout outcomes.",
                "GET / is the page, GET /api/status its JSON. It listens on hotline.http.host (127.0.0.1)."})
final class StatusCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions configOptions;

    @Mixin
    RunOptions runOptions;

    @Parameters(arity = "0..*", paramLabel = "SERVICE", description = "Services to show, e.g. nova.compute.")
    List<String> services = new ArrayList<>();

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8470",
            description = "The port to serve on (0: any free port); default ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--refresh", paramLabel = "DURATION", defaultValue = "1s", converter = DurationConverter.class,
            description = "How often to re-read health and metrics; default ${DEFAULT-VALUE}.")
    Duration refresh;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        HotlineConfig config = configOptions.config();
        runOptions.serve(config, spec.commandLine().getOut(),
                store -> StatusServer.start(store, config, port, services, refresh),
                server -> "status page at " + server.url());
        return Hotline.OK;
    }
}

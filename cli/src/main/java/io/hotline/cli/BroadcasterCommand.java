package io.hotline.cli;

import io.hotline.broadcaster.Broadcaster;
import io.hotline.discovery.config.HotlineConfig;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hotline broadcaster}: the fanout service, registered as hotline.broadcaster until stopped. */
@Command(name = "broadcaster", mixinStandardHelpOptions = true,
        description = {"Run a broadcaster: it takes fanout casts at POST /v1/fanout/{service} and casts each to every"
                + " healthy server of the service. Clients find it in the store.",
                "Reads hotline.http.* (port range, host, token, TLS), hotline.broadcaster.max-concurrent,"
                        + " .target-timeout, .split-threshold, .split-ways, .peer-timeout, .peer-token (the secret"
                        + " broadcasters share to split large fanouts among them; without it each casts every fanout"
                        + " itself; set it in the config file or HOTLINE_BROADCASTER_PEER_TOKEN rather than with --set,"
                        + " which ps shows) and .status-services (more services for its status page at /status/)."})
final class BroadcasterCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions configOptions;

    @Mixin
    RunOptions runOptions;

    @Option(names = "--server", paramLabel = "NAME", description = "The name to register under; default: the host name.")
    String server;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        HotlineConfig config = configOptions.config();
        PrintWriter out = spec.commandLine().getOut();
        String name = server != null ? server : ServerCommand.hostName();
        runOptions.serve(config, out, store -> Broadcaster.builder(store).config(config).server(name)
                .meterRegistry(ProcessMetrics.registry()).start(),
                b -> "broadcasting as " + b.endpoint().id() + " at " + b.endpoint().baseUri() + " in zone "
                        + b.endpoint().zone() + "; status page at " + b.endpoint().baseUri() + "/status/"
                        + (b.splits() ? "" : "; casting every fanout itself and taking no shares from peers: no"
                                + " hotline.broadcaster.peer-token"));
        out.println("stopped broadcaster " + name);
        return Hotline.OK;
    }
}

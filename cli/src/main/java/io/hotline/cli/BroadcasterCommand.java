package io.hotline.cli;

import io.hotline.broadcaster.Broadcaster;
import io.hotline.discovery.EndpointStore;
import io.hotline.discovery.HotlineConfig;
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
                "Reads hotline.http.* (port range, host, token, TLS), hotline.broadcaster.max-concurrent and"
                        + " .target-timeout."})
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
        EndpointStore store = ConfigOptions.openStore(config);
        Broadcaster broadcaster;
        try {
            broadcaster = Broadcaster.builder(store).config(config)
                    .server(server != null ? server : ServerCommand.hostName()).start();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        AutoCloseable stop = () -> {
            try (store) {
                broadcaster.close();
            }
        };
        PrintWriter out = spec.commandLine().getOut();
        out.println("broadcasting as " + broadcaster.endpoint().id() + " at " + broadcaster.endpoint().baseUri()
                + " in zone " + broadcaster.endpoint().zone() + " (store " + config.storeName() + ")"
                + runOptions.until());
        out.flush();
        runOptions.runThenClose(stop);
        out.println("stopped " + broadcaster.endpoint().id());
        return Hotline.OK;
    }
}

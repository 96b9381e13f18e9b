package io.hotline.cli;

import io.hotline.discovery.config.HotlineConfig;
import io.hotline.rpc.Target;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hotline cast}: one RPC cast, done once a server has queued it. */
@Command(name = "cast", mixinStandardHelpOptions = true,
        description = "Cast METHOD to one server of SERVICE (nearest zone first); returns once the server queued it.")
final class CastCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions configOptions;

    @Mixin
    TargetOptions targetOptions;

    @Option(names = "--server", paramLabel = "NAME", description = "Only this server (oslo's server-targeted cast).")
    String server;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        HotlineConfig config = configOptions.config();
        Target target = targetOptions.target(server);
        Map<String, Object> args = targetOptions.arguments();
        ConfigOptions.withClient(config, client -> {
            client.prepare(target).cast(targetOptions.method, args);
            return null;
        });
        spec.commandLine().getOut().println("cast " + targetOptions.method + " to " + target.service()
                + (server != null ? " on " + server : "") + ": queued");
        return Hotline.OK;
    }
}

package io.hotline.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.rpc.RpcClient;
import io.hotline.rpc.Target;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hotline call}: one RPC call, the result printed as JSON. */
@Command(name = "call", mixinStandardHelpOptions = true,
        description = "Call METHOD on one server of SERVICE (nearest zone first) and print the result as JSON.")
final class CallCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions configOptions;

    @Mixin
    TargetOptions targetOptions;

    @Option(names = "--server", paramLabel = "NAME", description = "Only this server (oslo's server-targeted call).")
    String server;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long to wait for the reply; default hotline.rpc.response-timeout (60s).")
    Duration timeout;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws JsonProcessingException {
        HotlineConfig config = configOptions.config();
        Target target = targetOptions.target(server);
        Map<String, Object> args = targetOptions.arguments();
        Object result = ConfigOptions.withClient(config, client -> {
            RpcClient.Prepared prepared = client.prepare(target);
            return (timeout != null ? prepared.timeout(timeout) : prepared).call(targetOptions.method, args, Object.class);
        });
        spec.commandLine().getOut().println(TargetOptions.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
        return Hotline.OK;
    }
}

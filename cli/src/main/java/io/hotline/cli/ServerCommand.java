package io.hotline.cli;

import io.hotline.discovery.HealthPolicy;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.rpc.server.RpcServer;
import io.hotline.rpc.Target;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hotline server}: an RPC server for one target, serving the built-in echo endpoint or a class of yours. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = {"Serve an RPC target and register it in the store until stopped.",
                "The endpoint is the built-in one (methods echo(value), ping(), fail(message)) or --endpoint CLASS,"
                        + " a class on the class path with a public no-argument constructor: run it as"
                        + " java -cp cli/target/hotline.jar:your.jar io.hotline.cli.Hotline server ..."})
final class ServerCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions configOptions;

    @Mixin
    RunOptions runOptions;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "The topic, e.g. conductor.")
    String topic;

    @Option(names = "--exchange", paramLabel = "EXCHANGE", description = "The exchange, e.g. nova.")
    String exchange;

    @Option(names = "--server", paramLabel = "NAME", description = "This server's name; default: the host name.")
    String server;

    @Option(names = "--endpoint", paramLabel = "CLASS", description = "The endpoint class to serve; default: the built-in echo.")
    String endpointClass;

    @Option(names = "--endpoint-version", paramLabel = "X.Y", defaultValue = "1.0",
            description = "The version the endpoint serves; default ${DEFAULT-VALUE}.")
    String endpointVersion;

    @Option(names = "--max-concurrent-calls", paramLabel = "N",
            description = "Calls run at once at most; more get 503 ServerBusy (hotline.rpc.max-concurrent-calls;"
                    + " default 1000).")
    String maxConcurrentCalls;

    @Option(names = "--cast-threads", paramLabel = "N",
            description = "Threads running casts (hotline.rpc.cast-threads; default 8).")
    String castThreads;

    @Option(names = "--cast-queue", paramLabel = "N",
            description = "Casts that may wait for a thread at most; fewer when they would not all run within the"
                    + " grace period (hotline.rpc.cast-queue; default 10000).")
    String castQueue;

    @Option(names = "--grace-period", paramLabel = "DURATION",
            description = "How long a stop waits for calls in flight and queued casts (hotline.http.grace-period;"
                    + " default 30s).")
    String gracePeriod;

    @Option(names = "--report-interval", paramLabel = "DURATION",
            description = "How often the registration is renewed (hotline.health.report-interval; default 10s).")
    String reportInterval;

    @Option(names = "--down-after", paramLabel = "DURATION",
            description = "Marked down after this long without renewal (hotline.health.down-after; default 60s).")
    String downAfter;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        HotlineConfig config = withOptions(configOptions.config());
        Target target = Target.topic(topic);
        if (exchange != null) {
            target = target.exchange(exchange);
        }
        String name = server != null ? server : hostName();
        target = target.server(name);
        Object endpoint = endpointClass == null ? new EchoEndpoint(name) : instantiate(endpointClass);
        Target served = target;
        PrintWriter out = spec.commandLine().getOut();
        runOptions.serve(config, out,
                store -> RpcServer.builder(store).target(served).endpoint(null, endpointVersion, endpoint).config(config)
                        .meterRegistry(ProcessMetrics.registry()).start(),
                rpc -> "serving " + served.service() + " as " + rpc.endpoint().id() + " at " + rpc.endpoint().baseUri()
                        + " in zone " + rpc.endpoint().zone());
        out.println("stopped " + served.service() + " on " + name);
        return Hotline.OK;
    }

    /**
     * The tuning options as configuration keys on top of {@code config}, so that options, --set and files are checked
     * alike, and an error names the option.
     */
    private HotlineConfig withOptions(HotlineConfig config) {
        HotlineConfig c = option(config, "--max-concurrent-calls", "hotline.rpc.max-concurrent-calls",
                maxConcurrentCalls);
        c = option(c, "--cast-threads", "hotline.rpc.cast-threads", castThreads);
        c = option(c, "--cast-queue", "hotline.rpc.cast-queue", castQueue);
        c = option(c, "--grace-period", "hotline.http.grace-period", gracePeriod);
        c = option(c, "--report-interval", HealthPolicy.REPORT_INTERVAL, reportInterval);
        return option(c, "--down-after", HealthPolicy.DOWN_AFTER, downAfter);
    }

    private static HotlineConfig option(HotlineConfig config, String option, String key, String value) {
        return value == null ? config : config.with(key, value, "option " + option);
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    private static Object instantiate(String className) {
        Class<?> type;
        try {
            type = Class.forName(className);
        } catch (ClassNotFoundException e) {
            throw CliException.usage("no class " + className + " on the class path",
                    "put its jar on the class path: java -cp cli/target/hotline.jar:your.jar io.hotline.cli.Hotline server ...");
        }
        try {
            Constructor<?> constructor = type.getConstructor();
            return constructor.newInstance();
        } catch (NoSuchMethodException e) {
            throw CliException.usage(className + " has no public no-argument constructor",
                    "add one, or wrap the endpoint in a class that has one");
        } catch (InvocationTargetException e) {
            throw CliException.failed("constructing " + className + " failed: " + e.getCause(),
                    "its constructor threw; see the message");
        } catch (ReflectiveOperationException e) {
            throw CliException.usage("cannot construct " + className + ": " + e, "make the class and constructor public");
        }
    }
}

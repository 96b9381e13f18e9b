package io.hotline.cli;

import io.hotline.discovery.HotlineConfig;
import io.hotline.rpc.RpcServer;
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

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        HotlineConfig config = configOptions.config();
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
                        .start(),
                rpc -> "serving " + served.service() + " as " + rpc.endpoint().id() + " at " + rpc.endpoint().baseUri()
                        + " in zone " + rpc.endpoint().zone());
        out.println("stopped " + served.service() + " on " + name);
        return Hotline.OK;
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

package io.hotline.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hotline.rpc.Target;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What {@code call}, {@code cast} and {@code fanout} send, and to whom. */
final class TargetOptions {

    static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(index = "0", paramLabel = "SERVICE",
            description = "exchange.topic as servers register it, e.g. nova.conductor (or a topic alone).")
    String service;

    @Parameters(index = "1", paramLabel = "METHOD", description = "The method to run, e.g. select_destinations.")
    String method;

    @Option(names = {"-a", "--args"}, paramLabel = "JSON", defaultValue = "{}",
            description = "The method's arguments by name, as a JSON object; default: ${DEFAULT-VALUE}.")
    String args;

    @Option(names = "--namespace", paramLabel = "NS", description = "The endpoint namespace; default: the default one.")
    String namespace;

    @Option(names = "--api-version", paramLabel = "X.Y", description = "The API version to ask for; default 1.0.")
    String version;

    /** The target, to {@code server} only if it is not null. */
    Target target(String server) {
        Target t = target();
        return server == null ? t : t.server(server);
    }

    /** The target, without a server name. */
    Target target() {
        String[] parts = service.split("\\.", -1);
        Target t;
        if (parts.length == 1) {
            t = Target.topic(parts[0]);
        } else if (parts.length == 2) {
            t = Target.topic(parts[1]).exchange(parts[0]);
        } else {
            throw CliException.usage("service '" + service + "' has more than one '.'",
                    "write exchange.topic, e.g. nova.conductor, or a topic alone");
        }
        if (namespace != null) {
            t = t.namespace(namespace);
        }
        return version != null ? t.version(version) : t;
    }

    Map<String, Object> arguments() {
        try {
            Map<String, Object> parsed = JSON.readValue(args, new TypeReference<Map<String, Object>>() {});
            if (parsed == null) {
                throw CliException.usage("--args is null", "pass a JSON object, e.g. --args '{\"host\": \"compute-1\"}'");
            }
            return parsed;
        } catch (JsonProcessingException e) {
            throw CliException.usage("--args is not a JSON object: " + e.getOriginalMessage(),
                    "pass the arguments by name, e.g. --args '{\"host\": \"compute-1\", \"count\": 2}'");
        }
    }
}

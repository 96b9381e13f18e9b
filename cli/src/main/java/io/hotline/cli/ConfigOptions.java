package io.hotline.cli;

import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.RpcClient;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * The options every command shares, so that every command reads the same configuration: hotline.* system
 * properties, HOTLINE_* environment variables and a properties or oslo INI file, with these options on top.
 */
final class ConfigOptions {

    @Option(names = "--config", paramLabel = "FILE",
            description = "A properties file of hotline.* keys or an oslo INI file (e.g. nova.conf); default: the file"
                    + " named by hotline.config / HOTLINE_CONFIG.")
    Path configFile;

    @Option(names = "--store", paramLabel = "NAME",
            description = "The endpoint store (hotline.store): file, memory, or a plugin's name.")
    String store;

    @Option(names = "--zone", paramLabel = "ZONE", description = "This process's zone path (hotline.zone), e.g. region-one/az-1.")
    String zone;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE",
            description = "Any hotline.* key, e.g. --set hotline.http.token=... (repeatable).")
    Map<String, String> settings = new LinkedHashMap<>();

    /** The configuration with this command line's overrides on top. */
    HotlineConfig config() {
        HotlineConfig config = configFile != null ? HotlineConfig.load(configFile) : HotlineConfig.load();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            if (!e.getKey().startsWith("hotline.")) {
                throw CliException.usage("--set " + e.getKey() + " is not a Hotline key",
                        "keys start with 'hotline.', e.g. --set hotline.http.token=...");
            }
            config = config.with(e.getKey(), e.getValue());
        }
        if (store != null) {
            config = config.with(HotlineConfig.STORE, store);
        }
        if (zone != null) {
            config = config.with(HotlineConfig.ZONE, zone);
        }
        config.zone(); // a bad zone is refused here, naming where it came from
        return config;
    }

    /** Runs {@code body} with a client of the configured store, both closed after. */
    static <T> T withClient(HotlineConfig config, Function<RpcClient, T> body) {
        try (EndpointStore store = openStore(config);
             RpcClient client = RpcClient.builder(store).config(config).build()) {
            return body.apply(client);
        }
    }

    /** Opens the configured store; the caller closes it. */
    static EndpointStore openStore(HotlineConfig config) {
        return StoreProviders.load().open(config);
    }
}

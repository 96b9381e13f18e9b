package io.hotline.discovery.consul;

import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.spi.EndpointStoreProvider;

/**
 * The {@code consul} store: endpoints are services on the local Consul agent, kept alive by a TTL check the
 * {@link io.hotline.discovery.Heartbeater} passes; a Consul datacenter is a zone, and federated (WAN-joined)
 * datacenters are the store's other zones.
 *
 * <pre>{@code
 * HotlineConfig config = HotlineConfig.of(Map.of(
 *         "hotline.store", "consul",
 *         "hotline.zone", "region-one/dc1",          // the path's segment "dc1" names the agent's datacenter
 *         "hotline.consul.port", "8500",
 *         "hotline.consul.token", "..."));           // an ACL token allowed to write services
 * try (EndpointStore store = StoreProviders.load().open(config)) { ... }
 * }</pre>
 *
 * <p>The same keys come from an oslo INI file's {@code [consul]} section ({@code host}, {@code port}, {@code token},
 * {@code check_timeout}, {@code check_deregister}, {@code scheme}, {@code cafile}, {@code certfile},
 * {@code keyfile}, {@code http_check}, {@code watch_wait}, {@code datacenter}). Unless {@link #DATACENTER} is set,
 * opening asks the agent for its datacenter, so the agent must be reachable then
 * ({@link io.hotline.discovery.StoreUnavailableException} otherwise).
 *
 * <p>Under ACLs the token needs {@code service:write} on the services it registers, {@code service:read} and
 * {@code node:read} to list them and, unless {@link #DATACENTER} is set, {@code agent:read}. Consul answers a read
 * the token may not make with an empty list rather than an error.
 */
public final class ConsulStoreProvider implements EndpointStoreProvider {

    /** The agent's host; {@code 127.0.0.1}. */
    public static final String HOST = "hotline.consul.host";
    /** The agent's HTTP(S) port; 8500, or 8501 with scheme https. */
    public static final String PORT = "hotline.consul.port";
    /** {@code http} (default) or {@code https}. */
    public static final String SCHEME = "hotline.consul.scheme";
    /** The ACL token sent as {@code X-Consul-Token}; never logged. */
    public static final String TOKEN = "hotline.consul.token";
    /** PEM file of the CA(s) that signed the agent's HTTPS certificate; the JDK's trust store when unset. */
    public static final String CA_FILE = "hotline.consul.cafile";
    /** PEM client certificate, for an agent with {@code verify_incoming_https}; needs {@link #KEY_FILE}. */
    public static final String CERT_FILE = "hotline.consul.certfile";
    /** Unencrypted PKCS#8 PEM key of {@link #CERT_FILE}. */
    public static final String KEY_FILE = "hotline.consul.keyfile";
    /** The TTL check's timeout, overriding every registration's down-after (the proposal's check_timeout). */
    public static final String CHECK_TIMEOUT = "hotline.consul.check-timeout";
    /** How long after last renewal Consul removes a registration, overriding the policy's deregister-after. */
    public static final String CHECK_DEREGISTER = "hotline.consul.check-deregister";
    /**
     * Also register an HTTP check on each endpoint's {@code /readyz} (registered, not draining, calls not saturated),
     * every report interval; false.
     */
    public static final String HTTP_CHECK = "hotline.consul.http-check";
    /** How long one blocking query of a watch waits for a change; 30 s (Consul caps it at 10 min). */
    public static final String WATCH_WAIT = "hotline.consul.watch-wait";
    /**
     * The agent's datacenter; asked of the agent ({@code /v1/agent/self}, which needs {@code agent:read} under ACLs)
     * when unset.
     */
    public static final String DATACENTER = "hotline.consul.datacenter";
    /** Connect and request timeout of every call but a watch's blocking query; 5 s. */
    public static final String TIMEOUT = "hotline.consul.timeout";

    @Override
    public String name() {
        return "consul";
    }

    @Override
    public EndpointStore open(HotlineConfig config) {
        return ConsulStore.open(ConsulSettings.from(config), config);
    }
}

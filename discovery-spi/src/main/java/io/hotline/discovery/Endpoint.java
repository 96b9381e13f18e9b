package io.hotline.discovery;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One reachable RPC server instance of a service.
 *
 * <pre>{@code
 * Endpoint e = Endpoint.builder("nova.conductor")
 *         .host("10.0.0.7").port(20001)
 *         .server("compute-17")
 *         .zone(Zone.of("region-one/az-1"))
 *         .metadata("free_disk_gb", "250")
 *         .build();                          // id defaults to "10.0.0.7:20001"
 *
 * Endpoint backup = e.toBuilder().id("backup-1").host("10.0.9.1")
 *         .priority(10)                      // used only while no endpoint of priority 0 is eligible
 *         .weight(3)                         // three times the share of a weight-1 endpoint of priority 10
 *         .build();
 * }</pre>
 *
 * <p><b>Priority and weight</b> are those of a DNS SRV record (RFC 2782), honoured by the {@link Directory}'s
 * selection for every store: among the equally near endpoints a query resolves to, only those of the lowest priority
 * present are chosen from, and among them each gets a share of the picks proportional to its weight. An endpoint of
 * weight 0 is picked only when every endpoint of its priority has weight 0. The defaults, priority 0 and weight 1,
 * make every endpoint equal.
 *
 * @param service the service it serves, e.g. {@code nova.conductor} (exchange + topic)
 * @param id unique within the service and stable across restarts of the same worker; defaults to host:port
 * @param server the oslo server name, usually the host name; defaults to the host
 * @param host host name or IP address clients connect to
 * @param port TCP port, 1-65535
 * @param scheme {@code http} or {@code https}
 * @param zone the zone the instance runs in
 * @param metadata free-form string attributes; capabilities ({@link #capabilities()}) are read from them
 * @param priority 0-65535, lower is preferred; {@value #DEFAULT_PRIORITY} unless set
 * @param weight 0-65535, the relative share of picks among endpoints of the same priority; {@value #DEFAULT_WEIGHT}
 *     unless set
 */
public record Endpoint(String service, String id, String server, String host, int port, String scheme, Zone zone,
        Map<String, String> metadata, int priority, int weight) {

    /** The priority of an endpoint that sets none, and of a record written before endpoints had one. */
    public static final int DEFAULT_PRIORITY = 0;
    /** The weight of an endpoint that sets none, and of a record written before endpoints had one. */
    public static final int DEFAULT_WEIGHT = 1;
    /** The greatest priority and weight, as in an SRV record (16 bits). */
    public static final int MAX_PRIORITY_OR_WEIGHT = 65535;

    private static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:@\\[\\]-]{1,255}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:\\[\\]%-]{1,253}");
    private static final Pattern METADATA_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final int MAX_METADATA_VALUE = 4096;
    private static final int MAX_METADATA_ENTRIES = 256;

    /** Validates every field; see the parameter descriptions for what is accepted. */
    public Endpoint {
        Objects.requireNonNull(zone, "zone");
        requireService(service);
        requireMatch("host", host, HOST, "a host name or IP address");
        requireId(id);
        requireMatch("server", server, ID, "1-255 letters, digits or any of . _ : @ [ ] -");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " of endpoint " + id + " is outside 1-65535");
        }
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("scheme '" + Untrusted.excerpt(scheme) + "' of endpoint " + id
                    + " must be http or https");
        }
        Objects.requireNonNull(metadata, "metadata");
        if (metadata.size() > MAX_METADATA_ENTRIES) {
            throw new IllegalArgumentException("endpoint " + id + " has " + metadata.size()
                    + " metadata entries; at most " + MAX_METADATA_ENTRIES + " are allowed");
        }
        metadata.forEach((k, v) -> {
            requireMatch("metadata key", k, METADATA_KEY, "1-128 letters, digits, '.', '_' or '-'");
            Objects.requireNonNull(v, () -> "metadata value for " + k);
            if (v.length() > MAX_METADATA_VALUE) {
                throw new IllegalArgumentException("metadata value for '" + k + "' of endpoint " + id + " has "
                        + v.length() + " characters; at most " + MAX_METADATA_VALUE + " are allowed");
            }
        });
        metadata = Map.copyOf(metadata);
        if (priority < 0 || priority > MAX_PRIORITY_OR_WEIGHT) {
            throw new IllegalArgumentException("priority " + priority + " of endpoint " + id + " is outside 0-"
                    + MAX_PRIORITY_OR_WEIGHT + " (as in a DNS SRV record; lower is preferred)");
        }
        if (weight < 0 || weight > MAX_PRIORITY_OR_WEIGHT) {
            throw new IllegalArgumentException("weight " + weight + " of endpoint " + id + " is outside 0-"
                    + MAX_PRIORITY_OR_WEIGHT + " (as in a DNS SRV record; 0 is picked only when all of its priority"
                    + " are 0)");
        }
    }

    /** Starts an endpoint of {@code service}. */
    public static Builder builder(String service) {
        return new Builder(service);
    }

    /** A builder holding this endpoint's fields, to derive a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder(service).id(id).server(server).host(host).port(port).scheme(scheme).zone(zone)
                .priority(priority).weight(weight);
        b.metadata.putAll(metadata);
        return b;
    }

    /** The typed view of {@link #metadata()}. */
    public Capabilities capabilities() {
        return new Capabilities(metadata);
    }

    /** {@code scheme://host:port}, with IPv6 hosts in brackets. */
    public String baseUri() {
        String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return scheme + "://" + h + ":" + port;
    }

    /**
     * Refuses what cannot be an endpoint id, e.g. {@code requireId("10.0.0.7:20001")} passes; for input that names
     * endpoints by id, such as a broadcaster's share.
     *
     * @throws IllegalArgumentException saying what an id may hold, quoting the bad one briefly and escaped
     */
    public static void requireId(String id) {
        requireMatch("id", id, ID, "1-255 letters, digits or any of . _ : @ [ ] -");
    }

    static void requireService(String service) {
        requireMatch("service", service, SERVICE, "1-128 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }

    private static void requireMatch(String field, String value, Pattern pattern, String expected) {
        if (value == null) {
            throw new IllegalArgumentException(field + " is missing; expected " + expected);
        }
        if (!pattern.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " '" + Untrusted.excerpt(value) + "' is invalid; expected "
                    + expected);
        }
    }

    /** Builds an {@link Endpoint}; host and port are required, the rest has defaults. */
    public static final class Builder {
        private final String service;
        private String id;
        private String server;
        private String host;
        private int port;
        private String scheme = "http";
        private Zone zone = Zone.LOCAL;
        private int priority = DEFAULT_PRIORITY;
        private int weight = DEFAULT_WEIGHT;
        private final Map<String, String> metadata = new LinkedHashMap<>();

        private Builder(String service) {
            this.service = service;
        }

        public Builder id(String id) {
            this.id = id;
            return this;
        }

        public Builder server(String server) {
            this.server = server;
            return this;
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder scheme(String scheme) {
            this.scheme = scheme;
            return this;
        }

        public Builder zone(Zone zone) {
            this.zone = Objects.requireNonNull(zone, "zone");
            return this;
        }

        /** 0-65535, lower is preferred; {@value Endpoint#DEFAULT_PRIORITY} unless set. Checked by {@link #build()}. */
        public Builder priority(int priority) {
            this.priority = priority;
            return this;
        }

        /**
         * 0-65535, the share of picks among endpoints of the same priority; {@value Endpoint#DEFAULT_WEIGHT} unless
         * set. Checked by {@link #build()}.
         */
        public Builder weight(int weight) {
            this.weight = weight;
            return this;
        }

        public Builder metadata(String key, String value) {
            metadata.put(key, value);
            return this;
        }

        public Builder metadata(Map<String, String> entries) {
            metadata.putAll(entries);
            return this;
        }

        public Endpoint build() {
            String hostPort = host + ":" + port;
            return new Endpoint(service, id != null ? id : hostPort, server != null ? server : host, host, port, scheme,
                    zone, metadata, priority, weight);
        }
    }
}

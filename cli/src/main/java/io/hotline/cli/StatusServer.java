package io.hotline.cli;

import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.discovery.tls.PemTls;
import io.hotline.rpc.server.ListenerSettings;
import io.hotline.rpc.server.PortRange;
import io.hotline.rpc.server.internal.http.HttpListener;
import io.hotline.rpc.internal.security.ClientTls;
import io.hotline.status.StatusPage;
import java.time.Duration;
import java.util.List;

/** The status page on a port of its own: what {@code hotline status} and {@code hotline demo --status-port} run. */
final class StatusServer implements AutoCloseable {

    private final StatusPage page;
    private final HttpListener listener;
    private final String host;

    private StatusServer(StatusPage page, HttpListener listener, String host) {
        this.page = page;
        this.listener = listener;
        this.host = host;
    }

    /**
     * Serves the page for {@code services} on {@code port} (0: any free one), with the listener keys of {@code config};
     * with {@code hotline.http.token} its JSON needs that token, and servers are scraped over the client TLS keys
     * ({@code hotline.http.tls.cafile|client-certfile|client-keyfile}).
     */
    static StatusServer start(EndpointStore store, HotlineConfig config, int port, List<String> services) {
        return start(store, config, port, services, Duration.ofSeconds(1));
    }

    static StatusServer start(EndpointStore store, HotlineConfig config, int port, List<String> services,
            Duration refresh) {
        if (port < 0 || port > 65535) {
            throw CliException.usage("port " + port + " is not a TCP port", "use 1-65535, or 0 for any free port");
        }
        ListenerSettings settings = ListenerSettings.DEFAULT.config(config)
                .portRange(port == 0 ? PortRange.EPHEMERAL : new PortRange(port, port));
        String token = config.string("hotline.http.token", "");
        StatusPage.Builder builder = StatusPage.builder(store).services(services).token(token).refresh(refresh);
        if (!token.isEmpty()) {
            // The JSON is the cluster's metrics, scraped with its token: it needs that token too.
            builder.requireToken(token);
        }
        ClientTls tls = ClientTls.from(config);
        if (tls.isSet()) {
            // Scrapes servers as an RPC client of the cluster would call them.
            builder.sslContext(PemTls.clientContext(PemTls.trustManager(tls.caFile().orElse(null)),
                    tls.certFile().orElse(null), tls.keyFile().orElse(null)));
        }
        StatusPage page = builder.build();
        try {
            return new StatusServer(page, HttpListener.start(settings, "hotline-status", page.handler()), settings.host());
        } catch (RuntimeException e) {
            page.close();
            throw e;
        }
    }

    String url() {
        return listener.scheme() + "://" + host + ":" + listener.port() + "/";
    }

    /** Whether the page's JSON, as served now, contains {@code text}. */
    boolean pageSnapshotShows(String text) {
        return page.snapshotJson().contains(text);
    }

    @Override
    public void close() {
        listener.close();
        page.close();
    }
}

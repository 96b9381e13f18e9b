package io.hotline.rpc.internal.wire;

import java.util.List;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Origin;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.transport.HttpClientConnectionFactory;
import org.eclipse.jetty.client.transport.HttpClientTransportDynamic;
import org.eclipse.jetty.http.HttpScheme;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.ClientConnectionFactoryOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;

/**
 * The client transport of {@code hotline.http.transport=h2c}: HTTP/2 with prior knowledge to {@code http://} servers,
 * HTTP/1.1 to {@code https://} ones. The protocol follows from the scheme alone, never from negotiation: Hotline's TLS
 * listeners offer no ALPN, and an h2c server is known to speak HTTP/2, so nothing is upgraded or guessed per request.
 * Jetty's multiplexing pool then keeps one connection per server and opens another only when the server's streams per
 * connection are all in use (up to the client's maximum connections per server).
 *
 * <pre>{@code
 * HttpClient http = new HttpClient(new H2cTransport(new ClientConnector()));
 * }</pre>
 */
public final class H2cTransport extends HttpClientTransportDynamic {

    private static final Origin.Protocol H2C = new Origin.Protocol(List.of("h2c"), false);
    private static final Origin.Protocol HTTP_1_1 = new Origin.Protocol(List.of("http/1.1"), false);

    public H2cTransport(ClientConnector connector) {
        super(connector, HttpClientConnectionFactory.HTTP11,
                new ClientConnectionFactoryOverHTTP2.HTTP2(new HTTP2Client(connector)));
    }

    @Override
    public Origin newOrigin(Request request) {
        HttpClient http = getHttpClient();
        return http.createOrigin(request, HttpScheme.HTTPS.is(request.getScheme()) ? HTTP_1_1 : H2C);
    }
}

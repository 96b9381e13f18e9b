package io.hotline.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Free ports on 127.0.0.1 for servers started by tests.
 *
 * <pre>{@code
 * int http = FreePorts.tcp();
 * int dns = FreePorts.tcpAndUdp();                  // named listens on both
 * List<Integer> consul = FreePorts.tcp(6);          // http, dns, serf_lan, serf_wan, server, grpc
 * }</pre>
 *
 * <p>A port is probed by binding it and releasing it at once, so another process may take it before the server
 * does; check readiness against something only your instance answers. Probes never set {@code SO_REUSEADDR} or
 * {@code SO_REUSEPORT}: with them a port that a running server (BIND, for one, binds with {@code SO_REUSEPORT})
 * still holds could look free.
 */
public final class FreePorts {

    private static final InetAddress LOOPBACK = loopback();
    private static final int MAX_ATTEMPTS = 100;

    private FreePorts() {}

    /** A TCP port that was free on 127.0.0.1 a moment ago. */
    public static int tcp() {
        try (ServerSocket s = bindTcp()) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind a TCP port on " + LOOPBACK.getHostAddress(), e);
        }
    }

    /**
     * {@code count} distinct TCP ports that were free on 127.0.0.1 a moment ago.
     *
     * @throws IllegalArgumentException if {@code count} is not positive
     */
    public static List<Integer> tcp(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("port count " + count + " must be positive");
        }
        // Held together until all are chosen, so that the kernel cannot hand out the same port twice.
        List<ServerSocket> held = new ArrayList<>(count);
        try {
            List<Integer> ports = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                ServerSocket s = bindTcp();
                held.add(s);
                ports.add(s.getLocalPort());
            }
            return List.copyOf(ports);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind " + count + " TCP ports on " + LOOPBACK.getHostAddress(), e);
        } finally {
            held.forEach(FreePorts::closeQuietly);
        }
    }

    /** A port that was free for both TCP and UDP on 127.0.0.1 a moment ago, as a DNS server needs. */
    public static int tcpAndUdp() {
        IOException last = null;
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            try (ServerSocket tcp = bindTcp(); DatagramSocket udp = new DatagramSocket(null)) {
                udp.setReuseAddress(false);
                udp.bind(new InetSocketAddress(LOOPBACK, tcp.getLocalPort()));
                return tcp.getLocalPort();
            } catch (IOException e) {
                last = e;
            }
        }
        throw new UncheckedIOException("no port free for both TCP and UDP on " + LOOPBACK.getHostAddress() + " after "
                + MAX_ATTEMPTS + " attempts", last);
    }

    private static ServerSocket bindTcp() throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            // The JDK turns SO_REUSEADDR on by default on Linux.
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(LOOPBACK, 0), 1);
            return s;
        } catch (IOException e) {
            closeQuietly(s);
            throw e;
        }
    }

    private static void closeQuietly(ServerSocket s) {
        try {
            s.close();
        } catch (IOException e) {
            // Closing a listening socket that never accepted anything releases the port even when close reports
            // an error; there is nothing to recover.
        }
    }

    private static InetAddress loopback() {
        try {
            // Explicitly IPv4: servers are told 127.0.0.1, and getLoopbackAddress() may be ::1.
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}

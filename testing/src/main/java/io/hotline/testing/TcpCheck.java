package io.hotline.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/** Ready when 127.0.0.1:port accepts a TCP connection. */
final class TcpCheck implements ReadinessCheck {

    private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(500);

    private final int port;

    TcpCheck(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 1-65535");
        }
        this.port = port;
    }

    @Override
    public boolean isReady() throws NotReadyException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), (int) CONNECT_TIMEOUT.toMillis());
            return true;
        } catch (IOException e) {
            throw new NotReadyException("cannot connect to " + this + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "127.0.0.1:" + port;
    }
}

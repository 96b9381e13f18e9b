package io.hotline.rpc.server.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback server that takes connections and never answers, as a stalled process does: a request to it hangs until
 * the sender gives up. Counts the connections it took.
 *
 * <pre>{@code
 * Tarpit tarpit = fleet.tarpit();
 * store.register(Endpoint.builder(service).host("127.0.0.1").port(tarpit.port())...build(), HealthPolicy.DEFAULT);
 * }</pre>
 */
public final class Tarpit implements AutoCloseable {

    private final ServerSocket socket = new ServerSocket(0);
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Socket> held = Collections.synchronizedList(new ArrayList<>());

    /** Listens on an ephemeral port; see {@link RpcFleet#tarpit()} for one closed with a fleet. */
    public Tarpit() throws IOException {
        Thread t = new Thread(() -> {
            while (!socket.isClosed()) {
                try {
                    held.add(socket.accept());
                    connections.incrementAndGet();
                } catch (IOException e) {
                    return;
                }
            }
        }, "tarpit");
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** The connections taken so far. */
    public int connections() {
        return connections.get();
    }

    @Override
    public void close() throws IOException {
        socket.close();
        synchronized (held) {
            for (Socket s : held) {
                s.close();
            }
        }
    }
}

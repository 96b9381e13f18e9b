package io.hotline.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Clients that send a POST's headers and only part of its body, then hold their connections: what a slow or hostile
 * client does to a server that parks a thread per body read. Plain sockets, HTTP/1.1, on 127.0.0.1.
 *
 * <pre>{@code
 * try (SlowBodies slow = SlowBodies.open(port, "/v1/rpc/nova.conductor", body, 500, 300, Duration.ofSeconds(5))) {
 *     // the server must still answer others here
 *     List<SlowBodies.Reply> replies = slow.complete();    // the rest of every body, then every reply
 * }
 * }</pre>
 */
public final class SlowBodies implements AutoCloseable {

    /** A reply as read from the socket: status, headers (names in lower case) and body. */
    public record Reply(int status, Map<String, String> headers, String body) {
    }

    private final List<Socket> sockets;
    private final byte[] body;
    private final int sent;

    private SlowBodies(List<Socket> sockets, byte[] body, int sent) {
        this.sockets = sockets;
        this.body = body;
        this.sent = sent;
    }

    /**
     * Opens {@code count} connections to 127.0.0.1:{@code port}, each sending {@code POST path} with
     * {@code Content-Type: application/json}, the length of {@code body}, and its first {@code sent} bytes.
     *
     * @param timeout for each connect and, later, each read of a reply
     */
    public static SlowBodies open(int port, String path, byte[] body, int sent, int count, Duration timeout)
            throws IOException {
        if (sent < 0 || sent >= body.length) {
            throw new IllegalArgumentException("send part of the body: 0 <= sent (" + sent + ") < " + body.length);
        }
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        List<Socket> sockets = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                Socket socket = new Socket();
                sockets.add(socket);
                socket.setSoTimeout((int) timeout.toMillis());
                socket.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
                OutputStream out = socket.getOutputStream();
                out.write(head);
                out.write(body, 0, sent);
                out.flush();
            }
        } catch (IOException e) {
            closeAll(sockets);
            throw new IOException("slow client " + sockets.size() + " of " + count + " could not connect or send"
                    + " (check ulimit -n: each connection takes a file descriptor here and one in the server): "
                    + e.getMessage(), e);
        }
        return new SlowBodies(sockets, body.clone(), sent);
    }

    /** How many connections are held. */
    public int count() {
        return sockets.size();
    }

    /** Sends the rest of every body, then reads every reply, in the order the connections were opened. */
    public List<Reply> complete() throws IOException {
        for (Socket socket : sockets) {
            socket.getOutputStream().write(body, sent, body.length - sent);
            socket.getOutputStream().flush();
        }
        return replies();
    }

    /** Reads a reply on every connection without sending more (a server that gave up on the body answers anyway). */
    public List<Reply> replies() throws IOException {
        List<Reply> replies = new ArrayList<>(sockets.size());
        for (Socket socket : sockets) {
            replies.add(read(socket.getInputStream()));
        }
        return replies;
    }

    /** Whether the server closed every connection after its reply (a read ends the stream within the timeout). */
    public boolean closedByServer() throws IOException {
        for (Socket socket : sockets) {
            try {
                if (socket.getInputStream().read() != -1) {
                    return false;
                }
            } catch (SocketTimeoutException e) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        closeAll(sockets);
    }

    private static Reply read(InputStream in) throws IOException {
        String head = readHead(in);
        String[] lines = head.split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x status line: " + lines[0]);
        }
        Map<String, String> headers = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).strip());
        }
        String length = headers.get("content-length");
        if (length == null) {
            throw new IOException("a reply without Content-Length (this reader does not take chunked replies): " + head);
        }
        byte[] body = in.readNBytes(Integer.parseInt(length));
        return new Reply(Integer.parseInt(statusLine[1]), headers, new String(body, StandardCharsets.UTF_8));
    }

    /** The status line and headers, up to the empty line. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the server closed the connection before a whole reply: "
                        + head.toString(StandardCharsets.US_ASCII));
            }
            head.write(b);
            if ((b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1)) {
                matched++;
            } else {
                matched = b == '\r' ? 1 : 0;
            }
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        return text.substring(0, text.length() - 4);
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                // Closing a socket the server already closed: nothing is left to release.
            }
        }
    }
}

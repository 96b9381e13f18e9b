package io.hotline.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Sends one command to a Redis server on 127.0.0.1 in plain RESP and returns the first line of the reply, with a
 * bulk string's content in place of its length: enough to check readiness and cluster state without a client
 * library in this module.
 */
final class RespProbe {

    private static final int TIMEOUT_MILLIS = 1000;

    private RespProbe() {}

    /** E.g. {@code +PONG}, {@code -NOAUTH Authentication required.}, or the text of a bulk reply. */
    static String send(int port, String... command) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
            s.setSoTimeout(TIMEOUT_MILLIS);
            OutputStream out = s.getOutputStream();
            StringBuilder req = new StringBuilder("*").append(command.length).append("\r\n");
            for (String arg : command) {
                byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
                req.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
            }
            out.write(req.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = new BufferedInputStream(s.getInputStream());
            String first = line(in);
            if (!first.startsWith("$") || first.equals("$-1")) {
                return first;
            }
            byte[] body = in.readNBytes(Integer.parseInt(first.substring(1)));
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        if (c == -1 && b.size() == 0) {
            throw new IOException("the server closed the connection without a reply");
        }
        return b.toString(StandardCharsets.UTF_8);
    }
}

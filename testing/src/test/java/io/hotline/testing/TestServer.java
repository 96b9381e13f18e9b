package io.hotline.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A stand-in server that the tests run as a real child JVM.
 *
 * <ul>
 *   <li>{@code serve PORT}: answers HTTP on 127.0.0.1:PORT: {@code /ready}, {@code /pid}, {@code /cwd} and
 *       {@code /env?NAME};
 *   <li>{@code exit CODE}: prints 100 numbered lines and exits with CODE;
 *   <li>{@code silent MARKER}: prints 100 numbered lines, creates the file MARKER and waits forever without
 *       listening anywhere.
 * </ul>
 */
final class TestServer {

    private TestServer() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "serve" -> serve(Integer.parseInt(args[1]));
            case "exit" -> {
                printLines();
                System.exit(Integer.parseInt(args[1]));
            }
            case "silent" -> {
                printLines();
                Files.createFile(Path.of(args[1]));
                new CountDownLatch(1).await();
            }
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private static void printLines() {
        for (int i = 1; i <= 100; i++) {
            System.out.println("line " + i);
        }
        System.out.flush();
    }

    private static void serve(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/ready", ex -> answer(ex, "ready"));
        server.createContext("/pid", ex -> answer(ex, Long.toString(ProcessHandle.current().pid())));
        server.createContext("/cwd", ex -> answer(ex, Path.of("").toAbsolutePath().toString()));
        server.createContext("/env", ex -> answer(ex, String.valueOf(System.getenv(ex.getRequestURI().getQuery()))));
        server.start();
        System.out.println("listening on 127.0.0.1:" + port);
    }

    private static void answer(HttpExchange ex, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}

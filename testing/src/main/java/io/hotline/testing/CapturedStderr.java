package io.hotline.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * What the JVM writes to standard error while open, kept beside the normal output: slf4j-simple, the tests' logger,
 * writes its lines there, so a test can read the log lines a request caused. Close it to stop capturing.
 *
 * <pre>{@code
 * try (CapturedStderr log = CapturedStderr.start()) {
 *     ... // send the request
 *     await().until(() -> log.text().contains("was not run"));
 * }
 * }</pre>
 */
public final class CapturedStderr implements AutoCloseable {

    private final PrintStream original;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    private CapturedStderr(PrintStream original) {
        this.original = original;
    }

    public static CapturedStderr start() {
        CapturedStderr capture = new CapturedStderr(System.err);
        OutputStream tee = new OutputStream() {
            @Override
            public void write(int b) {
                capture.original.write(b);
                synchronized (capture.captured) {
                    capture.captured.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                capture.original.write(b, off, len);
                synchronized (capture.captured) {
                    capture.captured.write(b, off, len);
                }
            }
        };
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
        return capture;
    }

    /** Everything written since {@link #start()}. */
    public String text() {
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        System.setErr(original);
    }
}

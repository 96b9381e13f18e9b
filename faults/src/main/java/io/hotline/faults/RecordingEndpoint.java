package io.hotline.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What the fault suite's servers serve: every call and cast that starts running is written to a record file at once,
 * one line each ({@code call <id>} or {@code cast <id>}), so that the suite counts what ran instead of guessing.
 * The file is named by the environment variable {@value #RECORD_FILE}; each write goes straight to the kernel, so a
 * {@code kill -9} loses no line of what had started.
 *
 * <p>Run as {@code hotline server --endpoint io.hotline.faults.RecordingEndpoint ...}.
 */
public final class RecordingEndpoint {

    /** The environment variable naming the file this server's record is appended to. */
    public static final String RECORD_FILE = "HOTLINE_FAULTS_RECORD";

    private final FileChannel record;

    public RecordingEndpoint() {
        String file = System.getenv(RECORD_FILE);
        if (file == null || file.isEmpty()) {
            throw new IllegalStateException("set " + RECORD_FILE + " to the file this server records what ran in");
        }
        try {
            record = FileChannel.open(Path.of(file), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the record file " + file, e);
        }
    }

    /** A call: recorded as it starts, then takes {@code millis}; returns {@code id}. */
    public String work(String id, int millis) throws InterruptedException {
        write("call " + id);
        Thread.sleep(millis);
        return id;
    }

    /** A cast: recorded as it starts, then takes {@code millis}. */
    public void note(String id, int millis) throws InterruptedException {
        write("cast " + id);
        Thread.sleep(millis);
    }

    private void write(String line) {
        ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        try {
            // One write(2) per line on an O_APPEND file: lines from several threads never interleave.
            synchronized (record) {
                while (bytes.hasRemaining()) {
                    record.write(bytes);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the record", e);
        }
    }
}

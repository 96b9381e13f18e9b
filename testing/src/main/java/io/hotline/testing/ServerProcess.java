package io.hotline.testing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A real server run by a test as a plain child process, in a directory of its own, with its output in a log file
 * there.
 *
 * <pre>{@code
 * int port = FreePorts.tcp();
 * try (ServerProcess redis = ServerProcess.builder("redis")
 *         .command(dir -> List.of("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
 *                 "--save", "", "--appendonly", "no", "--dir", dir.toString()))
 *         .readiness(ReadinessCheck.tcp(port))
 *         .startupTimeout(Duration.ofSeconds(10))
 *         .build()) {
 *     redis.start();
 *     // ... test against 127.0.0.1:port ...
 *     redis.restart();                       // same directory, same port
 * }
 * }</pre>
 *
 * <p>{@link Builder#build()} creates the directory (a fresh temp dir unless one is given), so configuration
 * files can be written into {@link #directory()} before {@link #start()}. The process runs there, with
 * standard input closed and standard output and error appended to {@link #logFile()}.
 *
 * <p>{@link #close()} stops the process and deletes the temp dir, except when the server failed (it could not
 * start, or exited by itself with a non-zero code) or the system property {@value #KEEP_DIRS_PROPERTY} is
 * {@code true}: then the directory and its log stay for a person to read. A test JVM that exits without closing
 * a server kills it on the way out. Thread-safe.
 */
public final class ServerProcess implements AutoCloseable {

    /** System property; {@code true} keeps every server's directory after {@link #close()}, for debugging. */
    public static final String KEEP_DIRS_PROPERTY = "hotline.testing.keep-dirs";

    private static final Duration POLL_INTERVAL = Duration.ofMillis(25);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    /** Begins the line the log gets at each start, so that one start's output can be told from the last's. */
    static final String START_MARK = "---- ";
    private static final int TAIL_LINES = 40;
    private static final int TAIL_BYTES = 64 * 1024;
    private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_./:=@%+,-]+");

    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        // A forgotten close or a failed test must not leave servers holding ports after the test JVM is gone.
        Runtime.getRuntime().addShutdownHook(new Thread(ServerProcess::killRunning, "hotline-testing-reaper"));
    }

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final ReadinessCheck readiness;
    private final Duration startupTimeout;
    private final Duration stopTimeout;
    private final Path directory;
    private final boolean ownsDirectory;
    private final Path logFile;
    private volatile Process process;
    private boolean stoppedByUs;
    private boolean failed;
    private boolean closed;

    private ServerProcess(Builder b, Path directory, boolean ownsDirectory, List<String> command,
            Map<String, String> environment) {
        this.name = b.name;
        this.readiness = b.readiness;
        this.startupTimeout = b.startupTimeout;
        this.stopTimeout = b.stopTimeout;
        this.directory = directory;
        this.ownsDirectory = ownsDirectory;
        this.command = command;
        this.environment = environment;
        this.logFile = directory.resolve(name + "-output.log");
    }

    /** Starts describing a server; {@code name} labels its directory, log file and error messages. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    /** The working directory; it exists from {@link Builder#build()} until {@link #close()}. */
    public Path directory() {
        return directory;
    }

    /** Where standard output and error go, appended across restarts. */
    public Path logFile() {
        return logFile;
    }

    /**
     * The process id of the current or last run.
     *
     * @throws IllegalStateException if it was never started
     */
    public long pid() {
        Process p = process;
        if (p == null) {
            throw new IllegalStateException(name + " was never started");
        }
        return p.pid();
    }

    public boolean isAlive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /**
     * Launches the process and waits until the readiness check passes.
     *
     * @return this, for chaining
     * @throws ServerStartException if it cannot be launched, exits, or is not ready within the startup timeout;
     *     the process is then killed and the directory kept
     * @throws IllegalStateException if it is running or closed
     */
    public synchronized ServerProcess start() {
        if (closed) {
            throw new IllegalStateException(name + " is closed");
        }
        if (isAlive()) {
            throw new IllegalStateException(name + " is already running as pid " + process.pid());
        }
        appendToLog(START_MARK + Instant.now() + " starting: " + commandLine() + System.lineSeparator());
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        pb.environment().putAll(environment);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw fail(null, "cannot be launched: " + e.getMessage(), e);
        }
        process = p;
        stoppedByUs = false;
        RUNNING.add(p);
        try {
            // A server that reads standard input then sees its end instead of waiting for a test to type.
            p.getOutputStream().close();
        } catch (IOException e) {
            throw fail(p, "its standard input cannot be closed: " + e, e);
        }
        awaitReady(p);
        return this;
    }

    /**
     * Stops the process if it runs: SIGTERM, up to the stop timeout to exit, then SIGKILL. The directory stays, so
     * it can be started again. Does nothing if it is not running.
     *
     * @throws IllegalStateException if it is still alive ten seconds after SIGKILL
     */
    public synchronized void stop() {
        Process p = process;
        if (p == null || stoppedByUs) {
            return;
        }
        if (!p.isAlive()) {
            stoppedByUs = true;
            RUNNING.remove(p);
            if (p.exitValue() != 0) {
                failed = true;
            }
            return;
        }
        terminate(p);
    }

    /**
     * Kills the process and its children at once (SIGKILL, as {@code kill -9}): no shutdown hook runs, nothing is
     * drained. The directory stays, so it can be started again. Does nothing if it is not running.
     *
     * @throws IllegalStateException if it is still alive ten seconds after SIGKILL
     */
    public synchronized void kill() {
        Process p = process;
        if (p == null || stoppedByUs) {
            return;
        }
        stoppedByUs = true;
        // The whole tree, as a crashed host loses it: a server's worker processes (uWSGI's) would otherwise keep
        // serving, and keep the port from the next start.
        List<ProcessHandle> descendants = p.descendants().toList();
        p.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        if (!awaitExit(p.onExit(), KILL_TIMEOUT) && !Thread.currentThread().isInterrupted()) {
            throw new IllegalStateException(name + " (pid " + p.pid() + ") is still alive " + KILL_TIMEOUT
                    + " after SIGKILL");
        }
        for (ProcessHandle d : descendants) {
            awaitExit(d.onExit(), KILL_TIMEOUT);
        }
        RUNNING.remove(p);
    }

    /**
     * Freezes the process (SIGSTOP, as a hung host would be): its sockets stay open and connections to it are still
     * accepted by the kernel, but nothing is answered until {@link #resume()}.
     *
     * @throws IllegalStateException if it is not running or the signal cannot be sent
     */
    public synchronized void pause() {
        signal("STOP");
    }

    /** Lets a process frozen by {@link #pause()} run on (SIGCONT). */
    public synchronized void resume() {
        signal("CONT");
    }

    private void signal(String signal) {
        Process p = process;
        if (p == null || stoppedByUs || !p.isAlive()) {
            throw new IllegalStateException(name + " is not running; cannot send SIG" + signal);
        }
        // The JDK sends only TERM and KILL; kill(1) is in every POSIX base system.
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid()))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + p.pid() + " failed: "
                        + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run kill -" + signal + " for " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending SIG" + signal + " to " + name, e);
        }
    }

    /**
     * Stops the process and starts it again with the same command, directory and ports, as a server restart.
     *
     * @throws ServerStartException as {@link #start()} does
     */
    public synchronized ServerProcess restart() {
        stop();
        return start();
    }

    /**
     * Forgets that a start failed, so that {@link #close()} deletes the directory after all: for a harness that
     * recovered from the failure (another port, another try) and has nothing left to show from it.
     */
    synchronized void forgetFailedStart() {
        failed = false;
    }

    /** Stops the process and deletes the temp dir, unless the server failed or dirs are kept. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        stop();
        closed = true;
        if (ownsDirectory && !failed && !Boolean.getBoolean(KEEP_DIRS_PROPERTY)) {
            deleteTree(directory);
        }
    }

    @Override
    public String toString() {
        Process p = process;
        return name + (p == null ? "" : " (pid " + p.pid() + (p.isAlive() ? "" : ", exited") + ")") + " in "
                + directory;
    }

    // ---- starting ----------------------------------------------------------------------------------------

    private void awaitReady(Process p) {
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        String lastProblem = "no check has completed";
        Exception lastError = null;
        while (true) {
            if (!p.isAlive()) {
                throw fail(p, "exited with code " + p.exitValue() + " before it was ready", lastError);
            }
            try {
                if (readiness.isReady()) {
                    if (p.isAlive()) {
                        return;
                    }
                    // Something else answered for a server that is gone; the check above reports the exit.
                    continue;
                }
                lastProblem = "the readiness check returned false";
                lastError = null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw fail(p, "interrupted while waiting for it to be ready", e);
            } catch (Exception e) {
                lastProblem = describe(e);
                lastError = e;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw fail(p, "not ready after " + startupTimeout + "; last check: " + lastProblem, lastError);
            }
            try {
                // Returns early when the process exits, so a crash at startup is reported at once.
                p.waitFor(Math.min(left, POLL_INTERVAL.toNanos()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw fail(p, "interrupted while waiting for it to be ready", e);
            }
        }
    }

    private ServerStartException fail(Process p, String reason, Throwable cause) {
        failed = true;
        if (p != null) {
            terminate(p);
        }
        StringBuilder sb = new StringBuilder(name).append(" failed to start: ").append(reason);
        sb.append("\n  command: ").append(commandLine());
        sb.append("\n  directory (kept): ").append(directory);
        sb.append("\n  last ").append(TAIL_LINES).append(" lines of ").append(logFile).append(':');
        for (String line : logTail()) {
            sb.append("\n    ").append(line);
        }
        return new ServerStartException(sb.toString(), cause);
    }

    /** The command as a shell would take it, so that it can be pasted to run the server by hand. */
    private String commandLine() {
        StringBuilder sb = new StringBuilder();
        for (String arg : command) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(SHELL_SAFE.matcher(arg).matches() ? arg : "'" + arg.replace("'", "'\\''") + "'");
        }
        return sb.toString();
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(e.getMessage() != null ? e.getMessage() : e.toString());
        Throwable c = e.getCause();
        for (int depth = 0; c != null && depth < 5; depth++, c = c.getCause()) {
            String text = c.getMessage() != null ? c.getMessage() : c.toString();
            if (sb.indexOf(text) < 0) {
                sb.append("; caused by ").append(c);
            }
        }
        return sb.toString();
    }

    private List<String> logTail() {
        try (RandomAccessFile f = new RandomAccessFile(logFile.toFile(), "r")) {
            long from = Math.max(0, f.length() - TAIL_BYTES);
            byte[] bytes = new byte[(int) (f.length() - from)];
            f.seek(from);
            f.readFully(bytes);
            List<String> lines = new String(bytes, StandardCharsets.UTF_8).lines().toList();
            if (from > 0 && !lines.isEmpty()) {
                // The first line was most likely cut in the middle.
                lines = lines.subList(1, lines.size());
            }
            return lines.isEmpty() ? List.of("(no output)") : lines.subList(Math.max(0, lines.size() - TAIL_LINES),
                    lines.size());
        } catch (IOException e) {
            return List.of("(cannot read it: " + e + ")");
        }
    }

    private void appendToLog(String text) {
        try {
            Files.writeString(logFile, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the log " + logFile + " of " + name, e);
        }
    }

    // ---- stopping ----------------------------------------------------------------------------------------

    private void terminate(Process p) {
        stoppedByUs = true;
        // Children of the server (uwsgi workers, the runtime a launcher script started) would otherwise keep
        // ports and files after it.
        List<ProcessHandle> descendants = p.descendants().toList();
        p.destroy();
        if (!awaitExit(p.onExit(), stopTimeout)) {
            p.destroyForcibly();
            if (!awaitExit(p.onExit(), KILL_TIMEOUT) && !Thread.currentThread().isInterrupted()) {
                throw new IllegalStateException(name + " (pid " + p.pid() + ") is still alive " + KILL_TIMEOUT
                        + " after SIGKILL");
            }
        }
        for (ProcessHandle d : descendants) {
            if (d.isAlive()) {
                d.destroyForcibly();
                awaitExit(d.onExit(), KILL_TIMEOUT);
            }
        }
        RUNNING.remove(p);
    }

    /** True if it exited in time; false on timeout or interruption (the interrupt flag is kept). */
    private static boolean awaitExit(CompletableFuture<?> exit, Duration timeout) {
        try {
            exit.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return exit.isDone();
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for a process to exit failed", e.getCause());
        }
    }

    private static void killRunning() {
        for (Process p : RUNNING) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    /** Deletes {@code root} and everything under it; KeystoneServer deletes its template with it too. */
    static void deleteTree(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the server directory " + root, e);
        }
    }

    /** Describes a {@link ServerProcess}; a command and a readiness check are required. */
    public static final class Builder {
        private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

        private final String name;
        private Function<Path, List<String>> command;
        private final Map<String, String> environment = new LinkedHashMap<>();
        private final List<Function<Path, Map<String, String>>> environmentFromDirectory = new ArrayList<>();
        private ReadinessCheck readiness;
        private Path directory;
        private Duration startupTimeout = Duration.ofSeconds(30);
        private Duration stopTimeout = Duration.ofSeconds(10);

        private Builder(String name) {
            Objects.requireNonNull(name, "name");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("server name '" + name
                        + "' is invalid; use 1-64 letters, digits, '.', '_' or '-' (it becomes part of file names)");
            }
            this.name = name;
        }

        /** The program and its arguments; the program is looked up on the PATH. */
        public Builder command(List<String> command) {
            List<String> copy = List.copyOf(command);
            return command(dir -> copy);
        }

        /** The command, made from the working directory, for servers that want absolute paths in it. */
        public Builder command(Function<Path, List<String>> command) {
            this.command = Objects.requireNonNull(command, "command");
            return this;
        }

        /** Adds a variable to the environment inherited from this JVM. */
        public Builder environment(String variable, String value) {
            environment.put(Objects.requireNonNull(variable, "variable"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Adds variables made from the working directory, such as {@code HOME} for RabbitMQ's cookie. */
        public Builder environment(Function<Path, Map<String, String>> variables) {
            environmentFromDirectory.add(Objects.requireNonNull(variables, "variables"));
            return this;
        }

        /** When the started server is ready for use. */
        public Builder readiness(ReadinessCheck check) {
            this.readiness = Objects.requireNonNull(check, "check");
            return this;
        }

        /** Runs in this existing directory, which is then never deleted, instead of a fresh temp dir. */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** How long {@link ServerProcess#start()} waits for readiness; 30 s. */
        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = requirePositive("startup timeout", timeout);
            return this;
        }

        /** How long a stop waits after SIGTERM before SIGKILL; 10 s. */
        public Builder stopTimeout(Duration timeout) {
            this.stopTimeout = requirePositive("stop timeout", timeout);
            return this;
        }

        /**
         * Creates the directory (unless one was given) and the not yet started server.
         *
         * @throws IllegalStateException if the command or the readiness check is missing
         * @throws UncheckedIOException if the temp dir cannot be created
         */
        public ServerProcess build() {
            if (command == null) {
                throw new IllegalStateException("server " + name + " has no command");
            }
            if (readiness == null) {
                throw new IllegalStateException("server " + name + " has no readiness check; "
                        + "ReadinessCheck.tcp(port) or ReadinessCheck.http(uri) are the usual ones");
            }
            boolean owns = directory == null;
            Path dir;
            try {
                dir = owns ? Files.createTempDirectory("hotline-" + name + "-") : directory.toAbsolutePath();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a temp dir for server " + name, e);
            }
            try {
                List<String> cmd = List.copyOf(command.apply(dir));
                if (cmd.isEmpty()) {
                    throw new IllegalArgumentException("server " + name + " has an empty command");
                }
                Map<String, String> env = new LinkedHashMap<>(environment);
                environmentFromDirectory.forEach(f -> env.putAll(f.apply(dir)));
                return new ServerProcess(this, dir, owns, cmd, Map.copyOf(env));
            } catch (RuntimeException e) {
                if (owns) {
                    deleteTree(dir);
                }
                throw e;
            }
        }

        private static Duration requirePositive(String what, Duration d) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " " + d + " must be positive");
            }
            return d;
        }
    }
}

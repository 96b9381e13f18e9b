package io.hotline.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ServerProcessTest {

    // Generous: a child JVM can take seconds to start while other builds load the machine.
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .proxy(HttpClient.Builder.NO_PROXY)
            .build();

    @TempDir
    Path scratch;

    @Test
    void startsOnceReadyAndLeavesNothingBehindOnClose() throws Exception {
        int port = FreePorts.tcp();
        ServerProcess server = ServerProcess.builder("stand-in")
                .command(testServer("serve", Integer.toString(port)))
                .environment("HOTLINE_TEST_VALUE", "from the builder")
                .environment(dir -> Map.of("HOTLINE_TEST_DIR", dir.toString()))
                .readiness(ReadinessCheck.http(uri(port, "/ready"), "ready"::equals))
                .startupTimeout(STARTUP)
                .build();
        Path dir = server.directory();
        long pid;
        try {
            assertThat(dir).isDirectory();
            server.start();
            pid = server.pid();

            assertThat(server.isAlive()).isTrue();
            assertThat(get(port, "/pid")).isEqualTo(Long.toString(pid));
            assertThat(Path.of(get(port, "/cwd")).toRealPath()).isEqualTo(dir.toRealPath());
            assertThat(get(port, "/env?HOTLINE_TEST_VALUE")).isEqualTo("from the builder");
            assertThat(get(port, "/env?HOTLINE_TEST_DIR")).isEqualTo(dir.toString());
            await().atMost(PATIENCE).until(() -> Files.readString(server.logFile()).contains("listening on"));
        } finally {
            server.close();
        }

        assertThat(server.isAlive()).isFalse();
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(dir).doesNotExist();
    }

    @Test
    void readinessTimeoutKillsTheProcessAndExplainsWhy() throws Exception {
        Path printed = scratch.resolve("printed");
        ServerProcess server = ServerProcess.builder("never-ready")
                .command(testServer("silent", printed.toString()))
                // Holds the first attempt until the child has written its output, so that the timeout comes after.
                .readiness(() -> {
                    await().atMost(PATIENCE).until(() -> Files.exists(printed));
                    return false;
                })
                .startupTimeout(Duration.ofMillis(200))
                .build();
        try {
            assertThatThrownBy(server::start)
                    .isInstanceOf(ServerStartException.class)
                    .hasMessageContaining("never-ready failed to start: not ready after PT0.2S")
                    .hasMessageContaining("last check: the readiness check returned false")
                    .hasMessageContaining(TestServer.class.getName() + " silent")
                    .hasMessageContaining("directory (kept): " + server.directory())
                    .hasMessageContaining("line 61\n")
                    .hasMessageEndingWith("line 100")
                    .message().doesNotContain("line 60\n");
            assertThat(ProcessHandle.of(server.pid()).filter(ProcessHandle::isAlive)).isEmpty();
            server.close();
            assertThat(server.logFile()).exists();
        } finally {
            deleteTree(server.directory());
        }
    }

    @Test
    @Timeout(300)
    void processExitingAtStartupFailsAtOnceWithItsExitCode() throws Exception {
        ServerProcess server = ServerProcess.builder("crasher")
                .command(testServer("exit", "3"))
                .readiness(ReadinessCheck.tcp(FreePorts.tcp()))
                .startupTimeout(Duration.ofMinutes(10))
                .build();
        try {
            assertThatThrownBy(server::start)
                    .isInstanceOf(ServerStartException.class)
                    .hasMessageContaining("crasher failed to start: exited with code 3 before it was ready")
                    .hasMessageEndingWith("line 100");
            server.close();
            assertThat(server.directory()).isDirectory();
        } finally {
            deleteTree(server.directory());
        }
    }

    @Test
    void restartRunsANewProcessOnTheSamePortAndDirectory() throws Exception {
        int port = FreePorts.tcp();
        try (ServerProcess server = ServerProcess.builder("restarted")
                .command(testServer("serve", Integer.toString(port)))
                .readiness(ReadinessCheck.http(uri(port, "/ready")))
                .startupTimeout(STARTUP)
                .build()) {
            long first = server.start().pid();
            assertThat(get(port, "/pid")).isEqualTo(Long.toString(first));

            long second = server.restart().pid();

            assertThat(second).isNotEqualTo(first);
            assertThat(ProcessHandle.of(first).filter(ProcessHandle::isAlive)).isEmpty();
            assertThat(get(port, "/pid")).isEqualTo(Long.toString(second));
            assertThat(Path.of(get(port, "/cwd")).toRealPath()).isEqualTo(server.directory().toRealPath());
            assertThat(Files.readAllLines(server.logFile())).filteredOn(l -> l.contains(" starting: ")).hasSize(2);
        }
    }

    @Test
    void pausedProcessAnswersNothingUntilResumedAndKillLeavesNoChanceToCleanUp() throws Exception {
        int port = FreePorts.tcp();
        try (ServerProcess server = ServerProcess.builder("frozen")
                .command(testServer("serve", Integer.toString(port)))
                .readiness(ReadinessCheck.http(uri(port, "/ready")))
                .startupTimeout(STARTUP)
                .build()) {
            long pid = server.start().pid();

            server.pause();
            HttpRequest probe = HttpRequest.newBuilder(uri(port, "/pid")).timeout(Duration.ofMillis(300)).build();
            assertThatThrownBy(() -> HTTP.send(probe, HttpResponse.BodyHandlers.ofString()))
                    .as("a frozen server answers nothing").isInstanceOf(java.net.http.HttpTimeoutException.class);
            server.resume();
            assertThat(get(port, "/pid")).isEqualTo(Long.toString(pid));

            server.kill();
            assertThat(server.isAlive()).isFalse();
            assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
            assertThatThrownBy(server::pause).isInstanceOf(IllegalStateException.class).hasMessageContaining("not running");
            assertThat(server.start().pid()).as("a killed server starts again").isNotEqualTo(pid);
        }
    }

    @Test
    void killTakesTheChildrenToo() throws Exception {
        Path started = scratch.resolve("child-started");
        // A parent that forks a worker, as uWSGI does: a killed parent alone would leave the worker serving.
        try (ServerProcess server = ServerProcess.builder("forking")
                .command(List.of("/bin/sh", "-c", "sleep 600 & touch " + started + "; wait"))
                .readiness(() -> Files.exists(started))
                .startupTimeout(STARTUP)
                .build()) {
            server.start();
            List<ProcessHandle> children = ProcessHandle.of(server.pid()).orElseThrow().descendants().toList();
            assertThat(children).isNotEmpty();
            server.kill();
            for (ProcessHandle child : children) {
                child.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(child.isAlive()).as("child " + child.pid()).isFalse();
            }
        }
    }

    @Test
    void stopKillsAProcessThatIgnoresSigterm() throws Exception {
        Path trapped = scratch.resolve("trapped");
        Path dir = Files.createDirectory(scratch.resolve("server"));
        // An ignored signal stays ignored across exec, so sleep itself ignores SIGTERM.
        ServerProcess server = ServerProcess.builder("stubborn")
                .command(List.of("sh", "-c", "trap '' TERM; touch " + trapped + "; exec sleep 600"))
                .directory(dir)
                .readiness(() -> Files.exists(trapped))
                .stopTimeout(Duration.ofMillis(100))
                .startupTimeout(STARTUP)
                .build();
        long pid = server.start().pid();

        server.stop();

        assertThat(server.isAlive()).isFalse();
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
        server.close();
        assertThat(dir).as("a directory given to the builder is the caller's").isDirectory();
    }

    @Test
    void exitingWithAnErrorWhileRunningKeepsTheDirectory() throws Exception {
        Path ready = scratch.resolve("ready");
        Path go = scratch.resolve("go");
        ServerProcess server = ServerProcess.builder("quitter")
                .command(List.of("sh", "-c",
                        "touch " + ready + "; while [ ! -e " + go + " ]; do sleep 0.02; done; echo bye; exit 4"))
                .readiness(() -> Files.exists(ready))
                .startupTimeout(STARTUP)
                .build();
        try {
            server.start();
            Files.createFile(go);
            await().atMost(PATIENCE).until(() -> !server.isAlive());

            server.close();

            assertThat(server.directory()).isDirectory();
            assertThat(Files.readString(server.logFile())).contains("bye");
        } finally {
            deleteTree(server.directory());
        }
    }

    @Test
    void keepDirsPropertyKeepsTheDirectory() throws Exception {
        ServerProcess server = ServerProcess.builder("kept")
                .command(List.of("true"))
                .readiness(() -> true)
                .build();
        System.setProperty(ServerProcess.KEEP_DIRS_PROPERTY, "true");
        try {
            server.close();
            assertThat(server.directory()).isDirectory();
        } finally {
            System.clearProperty(ServerProcess.KEEP_DIRS_PROPERTY);
            deleteTree(server.directory());
        }
    }

    @Test
    void aMissingProgramIsReportedAsALaunchFailure() throws Exception {
        ServerProcess server = ServerProcess.builder("missing")
                .command(List.of("/nonexistent/hotline-no-such-server", "--name", "it's here"))
                .readiness(() -> true)
                .build();
        try {
            assertThatThrownBy(server::start)
                    .isInstanceOf(ServerStartException.class)
                    .hasMessageContaining("missing failed to start: cannot be launched")
                    .hasMessageContaining("command: /nonexistent/hotline-no-such-server --name 'it'\\''s here'");
            assertThat(server.isAlive()).isFalse();
        } finally {
            server.close();
            deleteTree(server.directory());
        }
    }

    @Test
    void buildNeedsACommandAndAReadinessCheck() {
        assertThatThrownBy(() -> ServerProcess.builder("x").readiness(() -> true).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no command");
        assertThatThrownBy(() -> ServerProcess.builder("x").command(List.of("true")).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no readiness check");
        assertThatThrownBy(() -> ServerProcess.builder("a/b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("server name 'a/b' is invalid");
    }

    private static List<String> testServer(String... args) throws URISyntaxException {
        String java = ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path classes = Path.of(TestServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> command = new ArrayList<>(List.of(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-Xmx32m", "-cp", classes.toString(), TestServer.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    private static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static String get(int port, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri(port, path)).timeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("status of GET %s", path).isEqualTo(200);
        return response.body();
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

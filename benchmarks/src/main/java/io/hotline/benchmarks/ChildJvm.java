package io.hotline.benchmarks;

import io.hotline.testing.ReadinessCheck;
import io.hotline.testing.ServerProcess;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The command that runs a main class of this harness in a JVM of its own, on this JVM's Java and class path, so that
 * what it spends can be read from /proc apart from the harness: the fanout comparison's broadcasters, the RPC
 * comparison's servers.
 *
 * <pre>{@code
 * List<String> command = ChildJvm.command(List.of("-Xmx256m"), BroadcasterNode.class, List.of(dir.toString()));
 * }</pre>
 */
final class ChildJvm {

    /** JVMs start slowly on 2 busy cores; what runs in them is up in a second or two. */
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private ChildJvm() {}

    /**
     * Starts {@code main} as {@code name}, in a temp directory of its own (deleted on close), and waits up to a minute
     * for {@code readiness}; closes it if it does not get there.
     *
     * @param args the child's arguments, given its directory
     */
    static ServerProcess start(String name, List<String> javaOptions, Class<?> main, Function<Path, List<String>> args,
            ReadinessCheck readiness) {
        ServerProcess process = ServerProcess.builder(name)
                .command(dir -> command(javaOptions, main, args.apply(dir)))
                .readiness(readiness)
                .startupTimeout(STARTUP_TIMEOUT)
                .build();
        try {
            return process.start();
        } catch (RuntimeException e) {
            process.close();
            throw e;
        }
    }

    /**
     * Makes the child end with its parent: a harness killed with SIGKILL runs no shutdown hook, and a child that
     * waits forever would be left holding its ports.
     */
    static void exitWithParent() {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> System.exit(0)));
    }

    static List<String> command(List<String> javaOptions, Class<?> main, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(javaOptions);
        // Absolute: the child runs in a directory of its own.
        command.add("-cp");
        command.add(Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(e -> Path.of(e).toAbsolutePath().toString()).collect(Collectors.joining(File.pathSeparator)));
        command.add(main.getName());
        command.addAll(args);
        return command;
    }
}

package io.hotline.benchmarks;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

    private ChildJvm() {}

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

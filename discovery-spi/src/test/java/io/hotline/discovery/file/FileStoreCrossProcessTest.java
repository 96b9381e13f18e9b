package io.hotline.discovery.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStoreCrossProcessTest {

    @TempDir
    Path dir;

    @Test
    void anotherJvmsRegistrationIsListedHere() throws Exception {
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path output = dir.resolve("child.log");
        Path storeDir = dir.resolve("store");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                RegisterInAnotherProcess.class.getName(), storeDir.toString())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();

        boolean exited = child.waitFor(2, TimeUnit.MINUTES);
        if (!exited) {
            child.destroyForcibly();
        }
        String log = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(exited).as("child JVM exited; its output:%n%s", log).isTrue();
        assertThat(child.exitValue()).as("child JVM exit code; its output:%n%s", log).isZero();

        try (EndpointStore store = new FileStoreProvider().open(HotlineConfig.of(Map.of(
                "hotline.file.dir", storeDir.toString(), "hotline.zone", "az-1")))) {
            List<EndpointStatus> listed = store.list("nova.conductor", Zone.of("az-1"));
            assertThat(listed).singleElement().satisfies(s -> {
                assertThat(s.endpoint().id()).isEqualTo("pid-" + child.pid());
                assertThat(s.endpoint().metadata()).containsEntry("by", "child");
                assertThat(s.isPassing()).isTrue();
            });
        }
    }
}

package io.hotline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/hotline} and {@code bin/hotline-tck} (through {@code scripts/launch}) in a copy of the project's layout,
 * with {@code mvn} and {@code java} on the PATH standing in for Maven and the JVM: each records how it was called, so
 * the tests see when the scripts build, what the class path is, and what reaches the terminal.
 */
class LaunchScriptTest {

    private static final Path PROJECT = Path.of("..").toAbsolutePath().normalize();
    private static final Instant BUILT = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path top;
    private Path calls;
    private Path jar;
    private Path source;

    @BeforeEach
    void copyTheLayout() throws IOException {
        for (String script : List.of("bin/hotline", "bin/hotline-tck", "scripts/launch")) {
            Files.createDirectories(top.resolve(script).getParent());
            Files.copy(PROJECT.resolve(script), top.resolve(script));
        }
        source = write("cli/src/main/java/io/hotline/cli/Hotline.java", "class Hotline {}");
        write("pom.xml", "<project/>");
        // Newer than the jar, but build output: not a source.
        write("cli/target/src/main/Generated.java", "class Generated {}");
        jar = write("cli/target/hotline.jar", "jar");
        Files.setLastModifiedTime(source, FileTime.from(BUILT.minusSeconds(60)));
        Files.setLastModifiedTime(top.resolve("pom.xml"), FileTime.from(BUILT.minusSeconds(60)));
        Files.setLastModifiedTime(jar, FileTime.from(BUILT));
        calls = top.resolve("calls");
        // Stand-ins: each appends its arguments to the calls file; mvn prints a line, as Maven does.
        fake("java", "echo \"java $*\" >> " + calls);
        fake("mvn", "echo \"mvn $*\" >> " + calls + "\necho '[INFO] Building Hotline'\n"
                + "mkdir -p cli/target && touch cli/target/hotline.jar");
    }

    @Test
    void aJarNewerThanEverySourceRunsWithoutBuilding() throws Exception {
        Run r = run("bin/hotline", Map.of(), "--version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(calls()).containsExactly("java -cp " + jar + " io.hotline.cli.Hotline --version");
    }

    @Test
    void aSourceNewerThanTheJarIsBuiltFirstWithItsOutputInALog() throws Exception {
        Files.setLastModifiedTime(source, FileTime.from(BUILT.plusSeconds(60)));
        Run r = run("bin/hotline", Map.of(), "demo");
        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).isEqualTo("hotline: building " + jar + " (cli/src/main/java/io/hotline/cli/Hotline.java"
                + " changed since it was built)...\n");
        assertThat(r.out()).as("Maven's output stays off the terminal").isEmpty();
        assertThat(calls()).containsExactly(
                "mvn -B -ntp -Dstyle.color=never -pl cli -am package -DskipTests -Dmaven.javadoc.skip=true"
                        + " -Dmaven.source.skip=true",
                "java -cp " + jar + " io.hotline.cli.Hotline demo");
        assertThat(Files.readString(top.resolve("cli/target/hotline-build.log"))).contains("[INFO] Building Hotline");
        // Built now: the next run goes straight to java.
        Files.delete(calls);
        run("bin/hotline", Map.of(), "demo");
        assertThat(calls()).containsExactly("java -cp " + jar + " io.hotline.cli.Hotline demo");
    }

    @Test
    void aMissingJarIsBuiltAndAPomCountsAsASource() throws Exception {
        Files.delete(jar);
        assertThat(run("bin/hotline", Map.of(), "demo").err()).contains("(first run)");
        Files.delete(calls);
        Files.setLastModifiedTime(jar, FileTime.from(BUILT));
        Files.setLastModifiedTime(top.resolve("pom.xml"), FileTime.from(BUILT.plusSeconds(60)));
        assertThat(run("bin/hotline", Map.of(), "demo").err()).contains("(pom.xml changed since it was built)");
    }

    @Test
    void aFailedBuildShowsTheEndOfItsLogAndRunsNothing() throws Exception {
        fake("mvn", "echo \"mvn $*\" >> " + calls + "\necho '[ERROR] COMPILATION ERROR : Hotline.java:[3,1]'\nexit 1");
        Files.setLastModifiedTime(source, FileTime.from(BUILT.plusSeconds(60)));
        Run r = run("bin/hotline", Map.of(), "demo");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("hotline: the build failed; the end of its log (" + top
                + "/cli/target/hotline-build.log):", "[ERROR] COMPILATION ERROR : Hotline.java:[3,1]");
        assertThat(calls()).noneMatch(c -> c.startsWith("java"));
    }

    @Test
    void pluginJarsComeFromThePluginsDirectoryThenHotlineClasspath() throws Exception {
        Path plugins = Files.createDirectories(top.resolve("plugins"));
        write("plugins/my-store.jar", "jar");
        write("plugins/README", "not a jar");
        run("bin/hotline", Map.of("HOTLINE_CLASSPATH", "/opt/deps/a.jar"), "endpoints");
        assertThat(calls()).containsExactly("java -cp " + jar + ":" + plugins.resolve("my-store.jar")
                + ":/opt/deps/a.jar io.hotline.cli.Hotline endpoints");
    }

    @Test
    void anotherPluginsDirectoryIsNamedByHotlinePluginsDir() throws Exception {
        Path elsewhere = Files.createDirectories(top.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("x.jar"), "jar");
        Path tckJar = write("tck/target/hotline-tck.jar", "jar");
        Files.setLastModifiedTime(tckJar, FileTime.from(BUILT));
        run("bin/hotline-tck", Map.of("HOTLINE_PLUGINS_DIR", elsewhere.toString()), "store.properties");
        assertThat(calls()).containsExactly("java -cp " + tckJar + ":" + elsewhere.resolve("x.jar")
                + " io.hotline.tck.TckRunner store.properties");
        Run missing = run("bin/hotline", Map.of("HOTLINE_PLUGINS_DIR", top.resolve("nowhere").toString()), "demo");
        assertThat(missing.exitCode()).isEqualTo(Hotline.USAGE);
        assertThat(missing.err()).contains("HOTLINE_PLUGINS_DIR=" + top.resolve("nowhere") + " is not a directory");
    }

    private record Run(int exitCode, String out, String err) {}

    private Run run(String script, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(top.resolve(script).toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(top.toFile());
        Map<String, String> environment = pb.environment();
        environment.remove("HOTLINE_CLASSPATH");
        environment.remove("HOTLINE_PLUGINS_DIR");
        environment.put("PATH", top.resolve("fake") + ":" + environment.get("PATH"));
        environment.putAll(new HashMap<>(env));
        Path out = top.resolve("out.txt");
        Path err = top.resolve("err.txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(script + " ends within 60 s").isTrue();
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private List<String> calls() throws IOException {
        return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
    }

    private void fake(String name, String body) throws IOException {
        Path file = Files.createDirectories(top.resolve("fake")).resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Path write(String relative, String content) throws IOException {
        Path file = top.resolve(relative);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }
}

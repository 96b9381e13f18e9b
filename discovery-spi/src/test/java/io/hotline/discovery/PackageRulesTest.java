package io.hotline.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The rules ARCHITECTURE.md states for this module's packages, checked on the sources: {@code config} and {@code tls}
 * use only the model's values, and {@code spi} uses the model and {@code config} but never the core, so that a
 * store plugin compiles against the contract alone.
 */
class PackageRulesTest {

    private static final Path SOURCES = Path.of("src/main/java/io/hotline/discovery");
    private static final Pattern HOTLINE_IMPORT = Pattern.compile("^import (?:static )?(io\\.hotline\\.[\\w.]+);",
            Pattern.MULTILINE);
    /** The core: what a store must not need. */
    private static final Set<String> CORE = Set.of("Directory", "Selection", "SelectionStrategy", "Resolution",
            "Heartbeater", "StoreProviders", "Query", "CapabilityFilter");

    @Test
    void configAndTlsUseOnlyTheModelsValues() {
        assertThat(imports("config")).allMatch(i -> i.equals("io.hotline.discovery.Zone")
                || i.startsWith("io.hotline.discovery.HealthPolicy") || i.startsWith("io.hotline.discovery.config."));
        assertThat(imports("tls")).isEmpty();
    }

    @Test
    void theSpiNeverUsesTheCore() {
        List<String> spi = imports("spi");
        assertThat(spi).isNotEmpty().allMatch(i -> i.startsWith("io.hotline.discovery."));
        assertThat(spi).noneMatch(i -> i.startsWith("io.hotline.discovery.file.")
                || i.startsWith("io.hotline.discovery.memory.")
                || CORE.contains(i.substring("io.hotline.discovery.".length()).split("\\.")[0]));
    }

    private static List<String> imports(String pkg) {
        try (Stream<Path> files = Files.list(SOURCES.resolve(pkg))) {
            return files.filter(f -> f.toString().endsWith(".java")).flatMap(f -> {
                Matcher m = HOTLINE_IMPORT.matcher(read(f));
                return m.results().map(r -> r.group(1));
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

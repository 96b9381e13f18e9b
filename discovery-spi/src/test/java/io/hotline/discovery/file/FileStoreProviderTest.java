package io.hotline.discovery.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.StoreProviders;
import io.hotline.discovery.StoreUnavailableException;
import io.hotline.discovery.Zone;
import io.hotline.discovery.config.HotlineConfig;
import io.hotline.discovery.spi.EndpointStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStoreProviderTest {

    @TempDir
    Path dir;

    private HotlineConfig config(String... keysAndValues) {
        HotlineConfig c = HotlineConfig.of(Map.of("hotline.file.dir", dir.resolve("store").toString()));
        for (int i = 0; i < keysAndValues.length; i += 2) {
            c = c.with(keysAndValues[i], keysAndValues[i + 1]);
        }
        return c;
    }

    @Test
    void serviceLoaderFindsTheFileStoreAndItIsTheDefault() {
        assertThat(StoreProviders.load().get("file")).isInstanceOf(FileStoreProvider.class);
        try (EndpointStore store = StoreProviders.load().open(config())) {
            assertThat(store.homeZone()).isEqualTo(Zone.LOCAL);
            assertThat(store.list("nova.conductor", Zone.LOCAL)).isEmpty();
        }
    }

    @Test
    void createsTheDirectoryOwnerOnly() throws IOException {
        assertThat(dir.getFileSystem().supportedFileAttributeViews())
                .as("the supported platforms (Linux) have POSIX permissions").contains("posix");
        Path nested = dir.resolve("a/b");

        new FileStoreProvider().open(config("hotline.file.dir", nested.toString())).close();

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nested))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a")))).isEqualTo("rwx------");
    }

    @Test
    void zoneDirectoryIsOneUrlEncodedName() {
        assertThat(FileStoreProvider.zoneDirectory(dir, Zone.of("region-one/az-1")))
                .isEqualTo(dir.resolve("region-one%2Faz-1"));
    }

    @Test
    void badPollIntervalIsExplained() {
        assertThatThrownBy(() -> new FileStoreProvider().open(config("hotline.file.poll-interval", "soon")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hotline.file.poll-interval 'soon'")
                .hasMessageContaining("500ms");
        assertThatThrownBy(() -> new FileStoreProvider().open(config("hotline.file.poll-interval", "0s")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hotline.file.poll-interval '0s'")
                .hasMessageContaining("longer than zero");
    }

    @Test
    void badNotifyFlagIsExplained() {
        assertThatThrownBy(() -> new FileStoreProvider().open(config("hotline.file.notify", "maybe")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hotline.file.notify 'maybe'")
                .hasMessageContaining("true or false");
    }

    @Test
    void zoneTooLongForADirectoryNameIsExplained() {
        String deep = String.join("/", java.util.Collections.nCopies(5, "z".repeat(60)));

        assertThatThrownBy(() -> new FileStoreProvider().open(config("hotline.zone", deep)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hotline.zone")
                .hasMessageContaining("too long for the file store");
    }

    @Test
    void aFileWhereTheDirectoryShouldBeIsExplainedAtOpen() throws IOException {
        Path file = Files.writeString(dir.resolve("store"), "not a directory");

        assertThatThrownBy(() -> new FileStoreProvider().open(config()))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining(file + " is a file where the store needs a directory");
    }
}

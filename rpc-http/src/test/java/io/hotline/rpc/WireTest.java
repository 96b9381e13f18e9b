package io.hotline.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JavaType;
import io.hotline.rpc.internal.wire.Wire;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class WireTest {

    private static JavaType type(Class<?> c) {
        return Wire.MAPPER.getTypeFactory().constructType(c);
    }

    private static Object read(String json, Class<?> c) throws IOException {
        return Wire.readResult(json.getBytes(StandardCharsets.UTF_8), type(c));
    }

    @Test
    void aResultIsReadStraightIntoTheRequestedType() throws IOException {
        assertThat(read("{\"result\":{\"a\":[1,2]}}", Map.class)).isEqualTo(Map.of("a", List.of(1, 2)));
        assertThat(read("{\"result\":42}", Integer.class)).isEqualTo(42);
        assertThat(read("{\"result\":\"x\"}", String.class)).isEqualTo("x");
    }

    @Test
    void aNullOrMissingResultIsNullEvenForAPrimitive() throws IOException {
        assertThat(read("{\"result\":null}", int.class)).isNull();
        assertThat(read("{}", String.class)).isNull();
    }

    @Test
    void whatTheServerWritesIsReadBack() throws IOException {
        byte[] written = Wire.RESULT_WRITER.writeValueAsBytes(new Wire.Result(null));
        assertThat(new String(written, StandardCharsets.UTF_8)).isEqualTo("{\"result\":null}");
        byte[] list = Wire.RESULT_WRITER.writeValueAsBytes(new Wire.Result(List.of("a", "b")));
        assertThat(Wire.readResult(list, type(List.class))).isEqualTo(List.of("a", "b"));
    }

    @Test
    void otherFieldsTrailingDataAndNonObjectsAreRefused() {
        assertThatThrownBy(() -> read("{\"result\":1,\"extra\":2}", Integer.class)).isInstanceOf(IOException.class)
                .hasMessageContaining("'extra'");
        assertThatThrownBy(() -> read("{\"result\":1} {}", Integer.class)).isInstanceOf(IOException.class)
                .hasMessageContaining("trailing");
        assertThatThrownBy(() -> read("[1]", Integer.class)).isInstanceOf(IOException.class)
                .hasMessageContaining("JSON object");
        assertThatThrownBy(() -> read("{\"result\":\"x\"}", Integer.class)).isInstanceOf(IOException.class);
    }

    /** Random version 4 UUIDs, as oslo's msg_ids are, none repeated across threads that each start afresh. */
    @Test
    void msgIdsAreRandomUuidsThatThreadsDoNotRepeat() throws Exception {
        Set<String> ids = ConcurrentHashMap.newKeySet();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 20_000; i++) {
                    ids.add(Wire.newMsgId());
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(30).toMillis());
        }
        assertThat(ids).hasSize(8 * 20_000);
        for (String id : ids.stream().limit(1000).toList()) {
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.toString()).isEqualTo(id);
            assertThat(uuid.version()).isEqualTo(4);
            assertThat(uuid.variant()).isEqualTo(2);
        }
    }
}

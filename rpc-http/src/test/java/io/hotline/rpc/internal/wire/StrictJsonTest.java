package io.hotline.rpc.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectReader;
import io.hotline.rpc.InvalidRequest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The UTF-8 check before parsing: ASCII is skipped a word at a time, so the first invalid byte must be found, and its
 * offset told, wherever it lies against the words' edges; valid multi-byte characters after ASCII must pass.
 */
class StrictJsonTest {

    private static final ObjectReader READER = StrictJson.mapper().build().readerFor(Map.class);

    @Test
    void theFirstInvalidByteIsToldByItsOffsetWhereverItLies() {
        for (int length = 1; length <= 40; length++) {
            for (int at = 0; at < length; at++) {
                byte[] body = new byte[length];
                Arrays.fill(body, (byte) 'a');
                body[at] = (byte) 0xff;
                if (at + 1 < length) {
                    body[length - 1] = (byte) 0xc0; // a later invalid byte must not be the one told
                }
                assertThatThrownBy(() -> StrictJson.read(READER, body)).as("length %d, at %d", length, at)
                        .isInstanceOf(InvalidRequest.class)
                        .hasMessageStartingWith("invalid UTF-8 at byte offset " + at + " ");
            }
        }
    }

    @Test
    void multiByteCharactersAfterAsciiOfAnyLengthAreRead() {
        for (int ascii = 0; ascii <= 20; ascii++) {
            String text = "a".repeat(ascii) + "é€😀";
            byte[] body = ("{\"t\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8);
            assertThat(StrictJson.<Map<?, ?>>read(READER, body)).as("%d ASCII bytes first", ascii)
                    .isEqualTo(Map.of("t", text));
        }
    }

    @Test
    void aSequenceCutShortByTheEndOfTheBodyIsRefused() {
        byte[] body = Arrays.copyOf("{\"t\":\"aaaaaaaa€".getBytes(StandardCharsets.UTF_8), 16);
        assertThatThrownBy(() -> StrictJson.read(READER, body)).isInstanceOf(InvalidRequest.class)
                .hasMessageStartingWith("invalid UTF-8 at byte offset 14 ");
    }
}

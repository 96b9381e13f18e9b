package io.hotline.discovery.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.Zone;
import org.junit.jupiter.api.Test;

class RedisRecordTest {

    private static final Endpoint E = Endpoint.builder("nova.conductor").id("w-1").server("compute-1")
            .host("10.0.0.7").port(20001).scheme("https").zone(Zone.of("region-one/az-1/cell-7"))
            .metadata("free_disk_gb", "250").metadata("note", "Zürich \"rack\" 7, 😀").metadata("empty", "").build();

    @Test
    void roundTripKeepsEveryField() {
        String json = RedisRecord.toJson(E);
        assertThat(json).startsWith("{\"format\":\"hotline.redis/1\"");
        assertThat(RedisRecord.parse(json)).isEqualTo(E);
    }

    @Test
    void priorityAndWeightAreWrittenOnlyWhenNotTheDefaultsAndComeBackExactly() {
        assertThat(RedisRecord.toJson(E)).doesNotContain("priority", "weight");
        for (int[] pw : new int[][] {{65535, 0}, {0, 65535}, {1, 1}, {0, 0}}) {
            Endpoint e = E.toBuilder().priority(pw[0]).weight(pw[1]).build();
            assertThat(RedisRecord.parse(RedisRecord.toJson(e))).as("priority %d weight %d", pw[0], pw[1])
                    .isEqualTo(e);
        }
        assertThat(RedisRecord.toJson(E.toBuilder().priority(65535).weight(0).build()))
                .contains("\"priority\":65535,\"weight\":0");
    }

    @Test
    void aRecordWrittenBeforePrioritiesReadsAsTheDefaultsAndMalformedOnesAreRefused() {
        Endpoint read = RedisRecord.parse(RedisRecord.toJson(E));
        assertThat(read.priority()).isZero();
        assertThat(read.weight()).isOne();
        String good = RedisRecord.toJson(E.toBuilder().priority(5).weight(2).build());
        assertThatThrownBy(() -> RedisRecord.parse(good.replace("\"priority\":5", "\"priority\":\"5\"")))
                .hasMessageContaining("priority is not a whole number");
        assertThatThrownBy(() -> RedisRecord.parse(good.replace("\"weight\":2", "\"weight\":2.5")))
                .hasMessageContaining("weight is not a whole number");
        assertThatThrownBy(() -> RedisRecord.parse(good.replace("\"weight\":2", "\"weight\":-2")))
                .hasMessageContaining("weight -2 of endpoint w-1 is outside 0-65535");
        assertThatThrownBy(() -> RedisRecord.parse(good.replace("\"priority\":5", "\"priority\":65536")))
                .hasMessageContaining("priority 65536");
        assertThatThrownBy(() -> RedisRecord.parse(good.replace("\"priority\":5", "\"priority\":99999999999")))
                .hasMessageContaining("priority 99999999999 is out of range");
    }

    @Test
    void refusesWhatIsNotACompleteRecordWithTheReason() {
        String good = RedisRecord.toJson(E);
        assertThatThrownBy(() -> RedisRecord.parse("not json")).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> RedisRecord.parse("[1]")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> RedisRecord.parse(good.replace("hotline.redis/1", "other/2")))
                .hasMessageContaining("format is 'other/2'");
        assertThatThrownBy(() -> RedisRecord.parse(good.replace("\"port\":20001,", "")))
                .hasMessageContaining("port is missing");
        assertThatThrownBy(() -> RedisRecord.parse(good.replace("\"port\":20001", "\"port\":\"20001\"")))
                .hasMessageContaining("port is not a whole number");
        assertThatThrownBy(() -> RedisRecord.parse(good.replace("{\"format\"", "{\"extra\":1,\"format\"")))
                .hasMessageContaining("unknown field 'extra'");
        assertThatThrownBy(() -> RedisRecord.parse(good.replace("\"empty\":\"\"", "\"empty\":3")))
                .hasMessageContaining("metadata value of 'empty' is not a string");
        assertThatThrownBy(() -> RedisRecord.parse(good + "{}")).hasMessageContaining("after the JSON object");
        assertThatThrownBy(() -> RedisRecord.parse(good.replace("20001", "70000"))).hasMessageContaining("port 70000");
        assertThatThrownBy(() -> RedisRecord.parse(good.replace("10.0.0.7", "bad host")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host");
    }
}

package io.hotline.discovery.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.HealthPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EndpointRecordTest {

    private final EndpointRecord record = new EndpointRecord(
            Endpoint.builder("svc").host("h").port(1).metadata("k", "ü").build(),
            HealthPolicy.of(Duration.ofMillis(50), Duration.ofMillis(300), Duration.ofSeconds(1)),
            1_700_000_000_123L);

    private String json() {
        return new String(record.toJson(), StandardCharsets.UTF_8);
    }

    private static EndpointRecord parse(String json) {
        return EndpointRecord.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void roundTrips() {
        assertThat(EndpointRecord.parse(record.toJson())).isEqualTo(record);
        assertThat(json()).contains("\"format\" : \"hotline.endpoint/1\"", "\"renewedAt\" : 1700000000123",
                "\"downAfterMs\" : 300");
    }

    @Test
    void priorityAndWeightRoundTripAndReadAsTheDefaultsInRecordsWrittenBeforeThem() {
        EndpointRecord edged = new EndpointRecord(record.endpoint().toBuilder().priority(65535).weight(0).build(),
                record.policy(), record.renewedAt());
        assertThat(EndpointRecord.parse(edged.toJson())).isEqualTo(edged);
        assertThat(json()).contains("\"priority\" : 0", "\"weight\" : 1");

        String older = json().replace("  \"priority\" : 0,\n", "").replace("  \"weight\" : 1,\n", "");
        assertThat(older).doesNotContain("priority", "weight");
        assertThat(parse(older)).isEqualTo(record);
    }

    @Test
    void rejectsPriorityAndWeightTheModelDoesNotAllow() {
        assertThatThrownBy(() -> parse(json().replace("\"priority\" : 0", "\"priority\" : 65536")))
                .hasMessageContaining("priority 65536").hasMessageContaining("outside 0-65535");
        assertThatThrownBy(() -> parse(json().replace("\"weight\" : 1", "\"weight\" : -1")))
                .hasMessageContaining("weight -1");
        assertThatThrownBy(() -> parse(json().replace("\"weight\" : 1", "\"weight\" : \"1\"")))
                .hasMessageContaining("weight is not a whole number");
        assertThatThrownBy(() -> parse(json().replace("\"priority\" : 0", "\"priority\" : 1.5")))
                .hasMessageContaining("priority is not a whole number");
        assertThatThrownBy(() -> parse(json().replace("\"priority\" : 0", "\"priority\" : 99999999999")))
                .hasMessageContaining("priority 99999999999 is out of range");
        assertThatThrownBy(() -> parse(json().replace("\"weight\" : 1", "\"weight\" : null")))
                .hasMessageContaining("weight is missing");
    }

    @Test
    void rejectsWhatIsNotACompleteRecord() {
        assertThatThrownBy(() -> parse("")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> parse("[1]")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> parse(json() + "{}")).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> parse(json().substring(0, 40))).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> parse(json().replace("hotline.endpoint/1", "other/1")))
                .hasMessageContaining("format is \"other/1\"");
        assertThatThrownBy(() -> parse(json().replace("\"renewedAt\"", "\"renewed\"")))
                .hasMessageContaining("renewedAt is missing");
        assertThatThrownBy(() -> parse(json().replace("\"port\" : 1", "\"port\" : \"1\"")))
                .hasMessageContaining("port is not a whole number");
        assertThatThrownBy(() -> parse(json().replace("\"downAfterMs\" : 300", "\"downAfterMs\" : 10")))
                .hasMessageContaining("down-after");
        assertThatThrownBy(() -> parse(json().replace("\"scheme\" : \"http\"", "\"scheme\" : \"ftp\"")))
                .hasMessageContaining("scheme 'ftp'");
    }
}

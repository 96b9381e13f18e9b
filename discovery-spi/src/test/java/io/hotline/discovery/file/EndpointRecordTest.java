package io.hotline.discovery.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.discovery.Endpoint;
import io.hotline.discovery.EndpointStatus;
import io.hotline.discovery.Health;
import io.hotline.discovery.HealthPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class EndpointRecordTest {

    private final EndpointRecord record = new EndpointRecord(
            Endpoint.builder("svc").host("h").port(1).metadata("k", "ü").build(),
            HealthPolicy.of(Duration.ofMillis(50), Duration.ofMillis(300), Duration.ofSeconds(1)),
            1_700_000_000_123L, OptionalLong.of(1_700_000_000_000L));

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
    void tellsSinceWhenItsHealthHolds() {
        long renewed = record.renewedAt();
        assertThat(record.statusAt(renewed + 300)).isEqualTo(new EndpointStatus(record.endpoint(), Health.PASSING,
                Instant.ofEpochMilli(1_700_000_000_000L)));
        assertThat(record.statusAt(renewed + 301)).as("critical from the moment the down-after ran out")
                .isEqualTo(new EndpointStatus(record.endpoint(), Health.CRITICAL, Instant.ofEpochMilli(renewed + 300)));
        assertThat(record.renewed(renewed + 200).passingSince()).as("a renewal in time keeps it")
                .isEqualTo(record.passingSince());
        assertThat(record.renewed(renewed + 301).passingSince()).as("a renewal of a critical one restarts it")
                .hasValue(renewed + 301);
        assertThat(EndpointRecord.registered(record.endpoint(), record.policy(), 42).passingSince()).hasValue(42);
    }

    @Test
    void passingSinceRoundTripsAndIsUnknownInRecordsWrittenBeforeIt() {
        assertThat(json()).contains("\"passingSince\" : 1700000000000");
        String older = json().replace(",\n  \"passingSince\" : 1700000000000", "");
        assertThat(older).doesNotContain("passingSince");
        EndpointRecord read = parse(older);
        assertThat(read.passingSince()).isEmpty();
        assertThat(read.statusAt(record.renewedAt()).since()).as("passing, since an unknown time").isEmpty();
        assertThat(read.renewed(record.renewedAt() + 10).passingSince()).isEmpty();
        assertThatThrownBy(() -> parse(json().replace("\"passingSince\" : 1700000000000", "\"passingSince\" : \"x\"")))
                .hasMessageContaining("passingSince is not a whole number");
    }

    @Test
    void priorityAndWeightRoundTripAndReadAsTheDefaultsInRecordsWrittenBeforeThem() {
        EndpointRecord edged = new EndpointRecord(record.endpoint().toBuilder().priority(65535).weight(0).build(),
                record.policy(), record.renewedAt(), record.passingSince());
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

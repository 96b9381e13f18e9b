package io.hotline.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TargetTest {

    @Test
    void theServiceIsExchangeDotTopic() {
        assertThat(Target.topic("conductor").exchange("nova").service()).isEqualTo("nova.conductor");
        assertThat(Target.topic("conductor").service()).isEqualTo("conductor");
    }

    @Test
    void rejectsBadFieldsSayingWhy() {
        assertThatThrownBy(() -> Target.topic("bad topic")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topic 'bad topic'");
        assertThatThrownBy(() -> Target.topic("t").version("1")).hasMessageContaining("not major.minor");
        assertThatThrownBy(() -> Target.topic("t").server("h").asFanout()).hasMessageContaining("fanout");
        assertThatThrownBy(() -> Target.topic("t").server(" ")).hasMessageContaining("blank");
    }
}

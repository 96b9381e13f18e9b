package io.hotline.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MetricsTextTest {

    @Test
    void readsCallsCastsAndFanoutOutcomes() {
        MetricsText m = MetricsText.parse("""
                # HELP hotline_rpc_server_requests_seconds
                # TYPE hotline_rpc_server_requests_seconds summary
                hotline_rpc_server_requests_seconds_count{kind="call",method="echo",outcome="ok",service="t.e"} 3
                hotline_rpc_server_requests_seconds_sum{kind="call",method="echo",outcome="ok",service="t.e"} 0.006
                hotline_rpc_server_requests_seconds_count{kind="call",method="-",outcome="NoSuchMethod",service="t.e"} 1
                hotline_rpc_server_requests_seconds_sum{kind="call",method="-",outcome="NoSuchMethod",service="t.e"} 0.001
                hotline_rpc_server_requests_seconds_count{kind="cast",method="echo",outcome="ok",service="t.e"} 5
                hotline_broadcaster_fanouts_total 5.0
                hotline_broadcaster_client_fanouts_total 2.0
                hotline_broadcaster_deliveries_total{outcome="delivered"} 5.0
                hotline_broadcaster_deliveries_total{outcome="refused"} 1.0
                not a sample
                hotline_rpc_server_requests_seconds_count{kind="call"} NaN-ish
                """);
        assertThat(m.calls()).isEqualTo(4);
        assertThat(m.callSeconds()).isCloseTo(0.007, within(1e-9));
        assertThat(m.casts()).isEqualTo(5);
        assertThat(m.clientFanouts()).isEqualTo(2);
        assertThat(m.deliveries()).containsEntry("delivered", 5.0).containsEntry("refused", 1.0);
    }

    @Test
    void emptyTextIsZeros() {
        MetricsText m = MetricsText.parse("");
        assertThat(m.calls()).isZero();
        assertThat(m.deliveries()).isEmpty();
    }
}

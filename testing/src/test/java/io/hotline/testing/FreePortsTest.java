package io.hotline.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void tcpPortCanBeBound() throws IOException {
        int port = FreePorts.tcp();

        try (ServerSocket s = bindTcp(port)) {
            assertThat(s.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void tcpAndUdpPortCanBeBoundForBoth() throws IOException {
        int port = FreePorts.tcpAndUdp();

        try (ServerSocket tcp = bindTcp(port); DatagramSocket udp = new DatagramSocket(null)) {
            udp.setReuseAddress(false);
            udp.bind(new InetSocketAddress(loopback(), port));
            assertThat(udp.getLocalPort()).isEqualTo(tcp.getLocalPort());
        }
    }

    @Test
    void manyPortsAreDistinctAndCanAllBeBoundAtOnce() throws IOException {
        List<Integer> ports = FreePorts.tcp(20);

        assertThat(ports).hasSize(20).doesNotHaveDuplicates();
        List<ServerSocket> bound = new ArrayList<>();
        try {
            for (int port : ports) {
                bound.add(bindTcp(port));
            }
        } finally {
            for (ServerSocket s : bound) {
                s.close();
            }
        }
    }

    @Test
    void aPortInUseIsNotHandedOut() throws IOException {
        try (ServerSocket taken = bindTcp(0)) {
            assertThat(FreePorts.tcp(50)).doesNotContain(taken.getLocalPort());
        }
    }

    @Test
    void countMustBePositive() {
        assertThatThrownBy(() -> FreePorts.tcp(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be positive");
    }

    private static ServerSocket bindTcp(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(false);
        s.bind(new InetSocketAddress(loopback(), port));
        return s;
    }

    private static InetAddress loopback() throws IOException {
        return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    }
}

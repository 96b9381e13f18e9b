package io.hotline.rpc.server.internal.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which address a process registers: the configured one, the one it listens on, or for a wildcard a routable one. */
class AdvertisedHostTest {

    private static List<InetAddress> addresses(String... literals) throws Exception {
        List<InetAddress> list = new ArrayList<>();
        for (String literal : literals) {
            list.add(InetAddress.getByName(literal));
        }
        return list;
    }

    @Test
    void aConfiguredHostWinsAndASpecificListenAddressIsItself() {
        assertThat(AdvertisedHost.resolve("0.0.0.0", "compute-1.example.org")).isEqualTo("compute-1.example.org");
        assertThat(AdvertisedHost.resolve("127.0.0.1", "compute-1.example.org")).isEqualTo("compute-1.example.org");
        assertThat(AdvertisedHost.resolve("10.0.0.5", null)).isEqualTo("10.0.0.5");
        assertThat(AdvertisedHost.resolve("127.0.0.1", null)).isEqualTo("127.0.0.1");
    }

    @Test
    void wildcardsAreTold() {
        assertThat(List.of("0.0.0.0", "::", "[::]", "::0", "0:0:0:0:0:0:0:0")).allMatch(AdvertisedHost::isWildcard);
        assertThat(List.of("127.0.0.1", "10.0.0.5", "::1", "fd00::5", "compute-1", "0.0.0.1"))
                .noneMatch(AdvertisedHost::isWildcard);
    }

    @Test
    void loopbackAddressesAreTold() {
        assertThat(List.of("127.0.0.1", "127.0.1.1", "::1", "[::1]", "localhost", "LOCALHOST"))
                .allMatch(AdvertisedHost::isLoopback);
        assertThat(List.of("10.0.0.5", "fd00::5", "compute-1.example.org", "0.0.0.0", "999.0.0.1", "127.example.org"))
                .noneMatch(AdvertisedHost::isLoopback);
    }

    @Test
    void theRoutableAddressSkipsLoopbackAndLinkLocalAndPrefersIpv4() throws Exception {
        // lo, then eth0 with a link-local IPv6, a global IPv6 and an IPv4, as Linux lists them.
        assertThat(AdvertisedHost.routable(addresses("127.0.0.1", "::1", "fe80::1", "2001:db8::5", "10.0.0.5")))
                .hasValue("10.0.0.5");
        assertThat(AdvertisedHost.routable(addresses("127.0.0.1", "169.254.10.1", "fe80::1", "2001:db8::5")))
                .hasValue("2001:db8:0:0:0:0:0:5");
        assertThat(AdvertisedHost.routable(addresses("10.0.0.5", "192.168.1.7"))).hasValue("10.0.0.5");
        assertThat(AdvertisedHost.routable(addresses("127.0.0.1", "::1", "fe80::1", "169.254.0.9"))).isEmpty();
    }
}

package io.hotline.rpc.server.internal.serving;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The address a process registers, which others connect to: the one configured ({@code hotline.http.advertised-host}),
 * else the address it listens on, unless that is a wildcard ({@code 0.0.0.0}, {@code ::}), which nobody can connect
 * to: then the host's routable address, as a server that listens everywhere is reached from elsewhere. Of the
 * addresses of the network interfaces that are up: not loopback, not link-local (fe80::, 169.254/16, which need an
 * interface to reach), IPv4 before IPv6 (a host with both is reachable by both, and IPv4 is the one every peer has),
 * then the interface's order (the first is the one the system lists first: on Linux, by interface index).
 *
 * <pre>{@code
 * String host = AdvertisedHost.resolve("0.0.0.0", null);   // e.g. "10.0.0.5"
 * String same = AdvertisedHost.resolve("10.0.0.5", null);  // "10.0.0.5"
 * String set = AdvertisedHost.resolve("0.0.0.0", "compute-1.example.org");
 * }</pre>
 */
public final class AdvertisedHost {

    private AdvertisedHost() {}

    /**
     * The host to register.
     *
     * @param listenHost the address the listener binds
     * @param configured the advertised host configured, or null
     * @throws IllegalStateException if the listener binds a wildcard and the host has no routable address
     */
    public static String resolve(String listenHost, String configured) {
        if (configured != null) {
            return configured;
        }
        if (!isWildcard(listenHost)) {
            return listenHost;
        }
        return routable(interfaceAddresses()).orElseThrow(() -> new IllegalStateException("listening on "
                + listenHost + " (every interface), but this host has no address others can reach (no interface"
                + " that is up has one that is neither loopback nor link-local); set hotline.http.advertised-host to"
                + " the name or address clients should use"));
    }

    /** Whether an address names every interface: {@code 0.0.0.0}, {@code ::} (or {@code [::]}, {@code ::0}). */
    public static boolean isWildcard(String host) {
        return literal(host).map(InetAddress::isAnyLocalAddress).orElse(false);
    }

    /** Whether a host is a loopback address or {@code localhost}: reachable from this host only. */
    public static boolean isLoopback(String host) {
        return host.equalsIgnoreCase("localhost") || literal(host).map(InetAddress::isLoopbackAddress).orElse(false);
    }

    /** The address an IP literal ({@code 10.0.0.5}, {@code ::1}, {@code [::1]}) names; empty for a host name. */
    private static Optional<InetAddress> literal(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        boolean ipv4 = h.matches("((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])");
        boolean ipv6 = h.contains(":") && h.matches("[0-9A-Fa-f:.]+");
        if (!ipv4 && !ipv6) {
            return Optional.empty();
        }
        try {
            // A literal is parsed without a name lookup.
            return Optional.of(InetAddress.getByName(h));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** The first routable address, IPv4 first, of addresses listed interface by interface. */
    static Optional<String> routable(List<InetAddress> addresses) {
        return addresses.stream()
                .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress() && !a.isAnyLocalAddress()
                        && !a.isMulticastAddress())
                .min(Comparator.comparingInt(a -> a instanceof Inet4Address ? 0 : 1))
                .map(a -> a instanceof Inet6Address v6 ? withoutScope(v6) : a.getHostAddress());
    }

    /** The host's addresses, interface by interface, of the interfaces that are up. */
    private static List<InetAddress> interfaceAddresses() {
        List<InetAddress> addresses = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nic.isUp()) {
                    addresses.addAll(Collections.list(nic.getInetAddresses()));
                }
            }
        } catch (SocketException e) {
            throw new IllegalStateException("cannot list this host's network interfaces (" + e.getMessage() + "); set"
                    + " hotline.http.advertised-host to the name or address clients should use", e);
        }
        return addresses;
    }

    /** A global IPv6 address as text, without the zone id Java may append ({@code %eth0}: for link-local ones). */
    private static String withoutScope(Inet6Address a) {
        String text = a.getHostAddress();
        int percent = text.indexOf('%');
        return percent < 0 ? text : text.substring(0, percent);
    }
}

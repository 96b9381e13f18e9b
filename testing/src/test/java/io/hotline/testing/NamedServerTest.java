package io.hotline.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;
import org.xbill.DNS.ZoneTransferIn;

/** The BIND harness against the real named that scripts/install-bind installs. */
class NamedServerTest {

    // Generous: the machine is shared with other builds.
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Closer closer = new Closer();

    @AfterEach
    void closeAll() throws Exception {
        closer.close();
    }

    @Test
    void twoServersOfTwoZonesEachApplySignedUpdatesOnlyFromTheGrantedKey() throws Exception {
        NamedServer a = closer.track(NamedServer.builder().name("named-a")
                .zone("az-1.region-one.rpc.test", "az1").zone("az-2.region-one.rpc.test.", "az2")
                .key("intruder").start());
        NamedServer b = closer.track(NamedServer.builder().name("named-b")
                .zone("az-1.region-two.rpc.test.", "r2az1").zone("az-2.region-two.rpc.test.", "r2az2").start());
        assertThat(a.port()).isNotEqualTo(b.port());
        assertThat(a.zones()).containsExactly("az-1.region-one.rpc.test.", "az-2.region-one.rpc.test.");
        String zone = "az-1.region-one.rpc.test.";
        assertThat(a.serial(zone)).isEqualTo(1);

        assertThat(addTxt(a, zone, "i1", a.key("az1").tsig()).getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(txt(a, "i1." + zone)).containsExactly("v=i1");
        assertThat(a.serial(zone)).isEqualTo(2);
        assertThat(addTxt(b, "az-2.region-two.rpc.test.", "j1", b.key("r2az2").tsig()).getRcode())
                .isEqualTo(Rcode.NOERROR);
        assertThat(txt(b, "j1.az-2.region-two.rpc.test.")).containsExactly("v=j1");
        assertThat(query(a, "j1.az-2.region-two.rpc.test.", Type.TXT).getRcode()).as("not a's zone")
                .isEqualTo(Rcode.REFUSED);

        assertThat(addTxt(a, zone, "unsigned", null).getRcode()).isEqualTo(Rcode.REFUSED);
        assertThat(addTxt(a, zone, "intruder", a.key("intruder").tsig()).getRcode()).as("a key granted nothing")
                .isEqualTo(Rcode.REFUSED);
        assertThat(addTxt(a, zone, "other", a.key("az2").tsig()).getRcode()).as("the other zone's key")
                .isEqualTo(Rcode.REFUSED);
        Message forged = addTxt(a, zone, "forged", new TSIG(TSIG.HMAC_SHA256, "az1", a.key("az2").secret()));
        assertThat(forged.getRcode()).as("the right key name with a wrong secret").isEqualTo(Rcode.NOTAUTH);
        assertThat(forged.getTSIG().getError()).isEqualTo(Rcode.BADSIG);
        assertThat(forged.isVerified()).isFalse();
        assertThat(a.serial(zone)).as("no refused update was applied").isEqualTo(2);
        assertThat(query(a, "unsigned." + zone, Type.TXT).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    }

    @Test
    void anIxfrFromTheSerialBeforeAnUpdateReturnsJustItsDeltaSignedOrNot() throws Exception {
        NamedServer named = closer.track(NamedServer.builder().zone("rpc.test.", "k").start());
        addTxt(named, "rpc.test.", "first", named.key("k").tsig());
        long before = named.serial("rpc.test.");
        addTxt(named, "rpc.test.", "second", named.key("k").tsig());

        for (TSIG key : new TSIG[] {named.key("k").tsig(), null}) {
            ZoneTransferIn ixfr = ZoneTransferIn.newIXFR(Name.fromString("rpc.test."), before, false,
                    named.socketAddress(), key);
            ixfr.setTimeout(TIMEOUT);
            ixfr.run();
            assertThat(ixfr.isIXFR()).as("signed: %s", key != null).isTrue();
            List<ZoneTransferIn.Delta> deltas = ixfr.getIXFR();
            assertThat(deltas).hasSize(1);
            assertThat(deltas.get(0).start).isEqualTo(before);
            assertThat(deltas.get(0).end).isEqualTo(before + 1);
            assertThat(deltas.get(0).adds).filteredOn(r -> r.getType() == Type.TXT)
                    .extracting(r -> r.getName().toString()).containsExactly("second.rpc.test.");
        }
    }

    @Test
    void aStoppedOrKilledServerComesBackWithItsDataAndAWipedOneEmpty() throws Exception {
        NamedServer named = closer.track(NamedServer.builder().zone("rpc.test.", "k").start());
        int port = named.port();
        addTxt(named, "rpc.test.", "kept", named.key("k").tsig());
        long serial = named.serial("rpc.test.");
        assertThatThrownBy(named::wipe).isInstanceOf(IllegalStateException.class).hasMessageContaining("stop()");

        named.stop();
        assertThat(named.isRunning()).isFalse();
        named.start();
        assertThat(named.port()).isEqualTo(port);
        assertThat(txt(named, "kept.rpc.test.")).as("replayed from the journal").containsExactly("v=kept");
        assertThat(named.serial("rpc.test.")).isEqualTo(serial);

        addTxt(named, "rpc.test.", "after-restart", named.key("k").tsig());
        named.kill();
        named.start();
        assertThat(txt(named, "after-restart.rpc.test.")).as("a crash loses no acknowledged update")
                .containsExactly("v=after-restart");
        long last = named.serial("rpc.test.");

        named.stop();
        named.wipe();
        assertThat(Files.exists(named.directory().resolve("rpc.test.zone.jnl"))).isFalse();
        named.start();
        assertThat(named.port()).isEqualTo(port);
        assertThat(query(named, "kept.rpc.test.", Type.TXT).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(query(named, "after-restart.rpc.test.", Type.TXT).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(named.serial("rpc.test.")).as("a wipe still moves the serial on").isEqualTo(last + 1);

        ZoneTransferIn ixfr = ZoneTransferIn.newIXFR(Name.fromString("rpc.test."), last, true,
                named.socketAddress(), named.key("k").tsig());
        ixfr.setTimeout(TIMEOUT);
        ixfr.run();
        assertThat(ixfr.isAXFR()).as("no journal to build a delta from").isTrue();
        assertThat(ixfr.getAXFR()).extracting(r -> r.getName().toString()).doesNotContain("kept.rpc.test.");

        assertThat(addTxt(named, "rpc.test.", "again", named.key("k").tsig()).getRcode()).isEqualTo(Rcode.NOERROR);
    }

    @Test
    void aStaticZoneServesItsRecordsAndRefusesUpdates() throws Exception {
        NamedServer named = closer.track(NamedServer.builder().key("k")
                .staticZone("legacy.test.", "_nova._hotline._tcp SRV 0 1 8080 host1\nhost1 A 127.0.0.1")
                .start());
        Message srv = query(named, "_nova._hotline._tcp.legacy.test.", Type.SRV);
        assertThat(srv.getSection(Section.ANSWER)).singleElement()
                .isInstanceOfSatisfying(SRVRecord.class, r -> {
                    assertThat(r.getPort()).isEqualTo(8080);
                    assertThat(r.getTarget().toString()).isEqualTo("host1.legacy.test.");
                });
        assertThat(addTxt(named, "legacy.test.", "x", named.key("k").tsig()).getRcode()).isEqualTo(Rcode.REFUSED);

        assertThatThrownBy(() -> NamedServer.builder().staticZone("bad.test.", "host1 A not-an-address"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("do not parse");
        assertThatThrownBy(() -> NamedServer.builder().staticZone("bad.test.", "host1.other.test. A 127.0.0.1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the zone");
        assertThatThrownBy(() -> NamedServer.builder().staticZone("bad.test.", "ns A 127.0.0.2"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("harness's own name");
        assertThatThrownBy(() -> NamedServer.builder().zone("a.test.", "k").zone("A.test", "k"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> NamedServer.builder().build()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aKeyFileHoldsABindKeyClauseReadableByItsOwnerOnly() throws Exception {
        NamedServer named = closer.track(NamedServer.builder().zone("rpc.test.", "k").build());
        NamedServer.TsigKey key = named.key("k");
        assertThat(key.algorithm()).isEqualTo("hmac-sha256");
        assertThat(Base64.getDecoder().decode(key.secret())).hasSize(32);
        assertThat(key.toString()).doesNotContain(key.secret());

        Path file = named.keyFile("k");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file)).isEqualTo(
                "key \"k\" {\n    algorithm hmac-sha256;\n    secret \"" + key.secret() + "\";\n};\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(named.directory().resolve("named.conf"))))
                .as("it holds the secrets too").isEqualTo("rw-------");
        assertThatThrownBy(() -> named.key("nope")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[k]");
    }

    @Test
    void aFirstStartMovesOffAPortAnotherProcessSharesThroughSoReusePort() throws Exception {
        NamedServer named = closer.track(NamedServer.builder().zone("rpc.test.", "k").build());
        int shared = named.port();
        // As another named would hold it: both UDP and TCP, with SO_REUSEPORT, so named binds beside them.
        try (DatagramSocket udp = new DatagramSocket(null); ServerSocket tcp = new ServerSocket()) {
            udp.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            udp.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), shared));
            tcp.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            tcp.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), shared), 1);
            named.start();
        }
        assertThat(named.port()).isNotEqualTo(shared);
        assertThat(named.serial("rpc.test.")).isEqualTo(1);
    }

    @Test
    void aGivenPortThatIsTakenFailsAsATakenPort(@TempDir Path dir) throws Exception {
        // A failed server's directory is kept for diagnosis; this failure is on purpose, so JUnit's directory.
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        // The TCP port of the UDP one's number may be another process's (the port spaces are separate): try others.
        for (int attempt = 1; ; attempt++) {
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, 0));
                    ServerSocket tcp = new ServerSocket()) {
                int held = udp.getLocalPort();
                tcp.setReuseAddress(false);
                try {
                    tcp.bind(new InetSocketAddress(loopback, held), 1);
                } catch (BindException taken) {
                    if (attempt < 50) {
                        continue;
                    }
                    throw taken;
                }
                assertThatThrownBy(() -> NamedServer.builder().zone("rpc.test.", "k").port(held).directory(dir)
                        .start())
                        .isInstanceOfSatisfying(ServerStartException.class, e -> assertThat(e.portTaken()).isTrue())
                        .hasMessageContaining("unable to listen");
                return;
            }
        }
    }

    private static Message addTxt(NamedServer named, String zone, String label, TSIG key) throws IOException {
        Name origin = Name.fromString(zone);
        Update update = new Update(origin);
        update.add(Name.fromString(label, origin), Type.TXT, 5, "\"v=" + label + "\"");
        return resolver(named, key).send(update);
    }

    private static List<String> txt(NamedServer named, String name) throws IOException {
        return query(named, name, Type.TXT).getSection(Section.ANSWER).stream()
                .filter(TXTRecord.class::isInstance)
                .flatMap(r -> ((TXTRecord) r).getStrings().stream())
                .toList();
    }

    private static Message query(NamedServer named, String name, int type) throws IOException {
        return resolver(named, null).send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
    }

    /** Over TCP: a UDP datagram lost on a loaded machine would fail the test for nothing. */
    private static SimpleResolver resolver(NamedServer named, TSIG key) {
        SimpleResolver resolver = new SimpleResolver(named.socketAddress());
        resolver.setTCP(true);
        resolver.setTimeout(TIMEOUT);
        if (key != null) {
            resolver.setTSIGKey(key);
        }
        return resolver;
    }
}

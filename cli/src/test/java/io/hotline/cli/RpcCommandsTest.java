package io.hotline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hotline.broadcaster.Broadcaster;
import io.hotline.discovery.Zone;
import io.hotline.discovery.spi.EndpointStore;
import io.hotline.rpc.server.RpcServer;
import io.hotline.rpc.Target;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** call, cast and fanout against real servers on a file store in a temporary directory. */
class RpcCommandsTest {

    @TempDir
    Path dir;

    private Cli cli;
    private EndpointStore store;
    private RpcServer first;
    private RpcServer second;

    @BeforeEach
    void startServers() {
        cli = new Cli(dir);
        store = cli.openStore();
        first = echoServer("echo-1");
        second = echoServer("echo-2");
    }

    private RpcServer echoServer(String name) {
        return RpcServer.builder(store).target(Target.topic("echo").exchange("test").server(name))
                .endpoint(new EchoEndpoint(name)).zone(Zone.of("region-one/az-1")).drainDelay(Duration.ZERO).start();
    }

    @AfterEach
    void stop() {
        first.close();
        second.close();
        store.close();
    }

    @Test
    void callPrintsTheResultAsJson() {
        Cli.Result r = cli.run("call", "test.echo", "echo", "--args", "{\"value\": {\"n\": 42}}");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("\"n\" : 42");
    }

    @Test
    void callToOneServerReachesThatServer() {
        Cli.Result r = cli.run("call", "test.echo", "ping", "--server", "echo-2");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("\"server\" : \"echo-2\"");
    }

    @Test
    void callWithArgsThatAreNotJsonIsAUsageError() {
        Cli.Result r = cli.run("call", "test.echo", "echo", "--args", "{value: ");
        assertThat(r.exitCode()).isEqualTo(Hotline.USAGE);
        assertThat(r.err()).contains("--args is not a JSON object", "hint: pass the arguments by name");
    }

    @Test
    void callOfAMethodThatThrowsFails() {
        Cli.Result r = cli.run("call", "test.echo", "fail", "--args", "{\"message\": \"boom\"}");
        assertThat(r.exitCode()).isEqualTo(Hotline.FAILED);
        assertThat(r.err()).contains("IllegalStateException", "boom", "hint: the server's method threw");
    }

    @Test
    void aRemoteMessageCannotWriteControlSequencesToTheTerminal() {
        Cli.Result r = cli.run("call", "test.echo", "fail", "--args", "{\"message\": \"boom\\u001b[2J\"}");
        assertThat(r.exitCode()).isEqualTo(Hotline.FAILED);
        assertThat(r.err()).contains("boom\\u001b[2J").doesNotContain("\u001b");
    }

    @Test
    void callOfAnUnknownMethodIsAUsageError() {
        Cli.Result r = cli.run("call", "test.echo", "nosuch");
        assertThat(r.exitCode()).isEqualTo(Hotline.USAGE);
        assertThat(r.err()).contains("nosuch", "hint: check the method name");
    }

    @Test
    void callWithWrongArgumentsIsAUsageError() {
        Cli.Result r = cli.run("call", "test.echo", "echo", "--args", "{\"nope\": 1}");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(Hotline.USAGE);
    }

    @Test
    void callOfAServiceNobodyServesSaysNothingToTalkTo() {
        Cli.Result r = cli.run("call", "test.nobody", "echo", "--timeout", "2s");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(Hotline.UNAVAILABLE);
        assertThat(r.err()).contains("test.nobody", "hint: start a server for it");
    }

    @Test
    void callOfABadServiceNameIsAUsageError() {
        Cli.Result r = cli.run("call", "a.b.c", "echo");
        assertThat(r.exitCode()).isEqualTo(Hotline.USAGE);
        assertThat(r.err()).contains("more than one '.'");
        assertThat(cli.run("call", "te st", "echo").exitCode()).isEqualTo(Hotline.USAGE);
    }

    @Test
    void callWithABadTimeoutIsAUsageError() {
        Cli.Result r = cli.run("call", "test.echo", "echo", "--timeout", "soon");
        assertThat(r.exitCode()).isEqualTo(Hotline.USAGE);
        assertThat(r.err()).contains("'soon' is not a duration");
    }

    @Test
    void castIsQueued() {
        Cli.Result r = cli.run("cast", "test.echo", "echo", "--server", "echo-1", "--args", "{\"value\": 1}");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("cast echo to test.echo on echo-1: queued");
    }

    @Test
    void castWithoutItsMethodIsAUsageError() {
        Cli.Result r = cli.run("cast", "test.echo");
        assertThat(r.exitCode()).isEqualTo(Hotline.USAGE);
        assertThat(r.err()).contains("Missing required parameter: 'METHOD'");
    }

    @Test
    void castToAServerThatIsNotThereSaysNothingToTalkTo() {
        Cli.Result r = cli.run("cast", "test.echo", "echo", "--server", "echo-9", "--args", "{\"value\": 1}");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(Hotline.UNAVAILABLE);
        assertThat(r.err()).contains("server echo-9 is not registered");
    }

    @Test
    void fanoutReachesEveryServerThroughABroadcaster() {
        try (Broadcaster b = Broadcaster.builder(store).zone(Zone.of("region-one/az-1")).drainDelay(Duration.ZERO)
                .start()) {
            Cli.Result r = cli.run("fanout", "test.echo", "echo", "--args", "{\"value\": 1}");
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.out()).contains("2 targeted, 2 delivered, 0 failed", "echo-1", "echo-2");

            Cli.Result quiet = cli.run("fanout", "test.echo", "echo", "--args", "{\"value\": 1}", "--no-report");
            assertThat(quiet.exitCode()).as(quiet.toString()).isZero();
            assertThat(quiet.out()).contains("started");
        }
    }

    @Test
    void fanoutWithoutABroadcasterSaysToStartOne() {
        Cli.Result r = cli.run("fanout", "test.echo", "echo", "--args", "{\"value\": 1}");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(Hotline.UNAVAILABLE);
        assertThat(r.err()).contains("no broadcaster registered", "hint: is it running?");
    }

    @Test
    void fanoutToABadZoneIsAUsageError() {
        Cli.Result r = cli.run("fanout", "test.echo", "echo", "--zones", "/bad/");
        assertThat(r.exitCode()).isEqualTo(Hotline.USAGE);
        assertThat(r.err()).contains("hint:");
    }
}

package io.hotline.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The Consul harness against the real binary that scripts/install-consul fetches. */
class ConsulAgentIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();

    private static HttpResponse<String> get(ConsulAgent agent, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(agent.httpAddress() + path))
                .timeout(Duration.ofSeconds(5));
        if (token != null) {
            b.header("X-Consul-Token", token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void twoDatacentersJoinOverTheWanAndARestartedOneComesBackEmptyOnItsPorts() throws Exception {
        try (ConsulAgent dc1 = ConsulAgent.builder("dc1").build().start();
                ConsulAgent dc2 = ConsulAgent.builder("dc2").build().start()) {
            assertThat(get(dc1, "/v1/catalog/nodes", null).body()).contains(dc1.nodeName());
            dc2.joinWan(dc1);
            assertThat(get(dc1, "/v1/catalog/datacenters", null).body()).contains("\"dc1\"", "\"dc2\"");
            assertThat(get(dc1, "/v1/catalog/nodes?dc=dc2", null).body()).contains(dc2.nodeName());

            int port = dc2.httpPort();
            long pid = dc2.process().pid();
            dc2.stop();
            assertThat(dc2.process().isAlive()).isFalse();
            dc2.start().joinWan(dc1);
            assertThat(dc2.httpPort()).isEqualTo(port);
            assertThat(dc2.process().pid()).isNotEqualTo(pid);
            assertThat(get(dc1, "/v1/catalog/nodes?dc=dc2", null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void anAclAgentIsReadyWithItsMasterTokenAndDeniesAnonymousWrites() throws Exception {
        String token = UUID.randomUUID().toString();
        try (ConsulAgent agent = ConsulAgent.builder("acl").aclMasterToken(token).build().start()) {
            assertThat(get(agent, "/v1/catalog/nodes", null).body().strip()).isEqualTo("[]");
            assertThat(get(agent, "/v1/catalog/nodes", token).body()).contains(agent.nodeName());
            HttpResponse<String> write = HTTP.send(HttpRequest.newBuilder(URI.create(agent.httpAddress()
                            + "/v1/agent/service/register"))
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"Name\":\"x\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(write.statusCode()).isEqualTo(403);
        }
    }

    @Test
    void aFirstStartWhosePortWasTakenMeanwhileMovesToFreeOnes() throws Exception {
        try (ConsulAgent agent = ConsulAgent.builder("moved").build()) {
            int taken = agent.httpPort();
            try (ServerSocket holder = new ServerSocket(taken, 1, InetAddress.getLoopbackAddress())) {
                agent.start();
            }
            assertThat(agent.httpPort()).isNotEqualTo(taken);
            assertThat(get(agent, "/v1/status/leader", null).body()).contains("127.0.0.1:");
        }
    }

    @Test
    void aMissingBinaryFailsLoudlyWithTheFix() {
        String before = System.getProperty(ConsulAgent.BINARY_PROPERTY);
        System.setProperty(ConsulAgent.BINARY_PROPERTY, "/nonexistent/consul");
        try {
            assertThatThrownBy(() -> ConsulAgent.builder("dc1").build())
                    .isInstanceOf(ServerStartException.class)
                    .hasMessageContaining("/nonexistent/consul")
                    .hasMessageContaining("scripts/install-deps");
        } finally {
            if (before == null) {
                System.clearProperty(ConsulAgent.BINARY_PROPERTY);
            } else {
                System.setProperty(ConsulAgent.BINARY_PROPERTY, before);
            }
        }
        assertThatThrownBy(() -> ConsulAgent.builder("bad name")).isInstanceOf(IllegalArgumentException.class);
    }
}

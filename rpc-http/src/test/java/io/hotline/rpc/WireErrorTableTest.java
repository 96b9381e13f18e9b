package io.hotline.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.hotline.rpc.internal.wire.Reply;
import io.hotline.rpc.internal.wire.Wire;
import io.hotline.rpc.internal.wire.WireError;
import io.hotline.rpc.internal.wire.WireError.Fault;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The table of wire errors: every row as documented, written by servers and decoded by the client alike. */
class WireErrorTableTest {

    private final ReplyDecoder client = new ReplyDecoder(Set.of());

    /** The table as the documents and the CLI's exit codes promise it. */
    static Stream<Arguments> rows() {
        return Stream.of(
                Arguments.of(WireError.INVALID_REQUEST, "InvalidRequest", 400, Set.of(400, 408, 409, 413, 415), true,
                        Fault.CALLER, InvalidRequest.class),
                Arguments.of(WireError.ACCESS_DENIED, "AccessDenied", 403, Set.of(401, 403), true, Fault.CALLER,
                        AccessDenied.class),
                Arguments.of(WireError.INVALID_TARGET, "InvalidTarget", 404, Set.of(404), true, Fault.UNAVAILABLE,
                        InvalidTarget.class),
                Arguments.of(WireError.NO_SUCH_METHOD, "NoSuchMethod", 404, Set.of(404), true, Fault.CALLER,
                        NoSuchMethod.class),
                Arguments.of(WireError.UNSUPPORTED_VERSION, "UnsupportedVersion", 409, Set.of(409), true, Fault.CALLER,
                        UnsupportedVersion.class),
                Arguments.of(WireError.SERVER_BUSY, "ServerBusy", 503, Set.of(503), true, Fault.UNAVAILABLE,
                        ServerBusy.class),
                Arguments.of(WireError.EXPIRED, "Expired", 504, Set.of(504), true, Fault.UNAVAILABLE,
                        MessagingTimeout.class),
                Arguments.of(WireError.UNKNOWN_CALL, "UnknownCall", 404, Set.of(404), true, Fault.SERVER,
                        RpcException.class),
                Arguments.of(WireError.HTTP_ERROR, "HttpError", 404, Set.of(), false, Fault.SERVER,
                        RpcException.class),
                Arguments.of(WireError.REMOTE_ERROR, "RemoteError", 500, Set.of(500), false, Fault.SERVER,
                        RemoteError.class));
    }

    @Test
    void everyRowIsPinned() {
        assertThat(rows().map(a -> a.get()[0])).containsExactlyInAnyOrder((Object[]) WireError.values());
    }

    @ParameterizedTest
    @MethodSource("rows")
    void aRowSaysItsTypeStatusesExceptionAndWhetherNothingRan(WireError row, String type, int status,
            Set<Integer> statuses, boolean nothingRan, Fault fault, Class<?> exception) {
        assertThat(row.type()).isEqualTo(type);
        assertThat(row.status()).isEqualTo(status);
        assertThat(row.statuses()).isEqualTo(statuses);
        assertThat(row.answeredWith(status)).isTrue();
        assertThat(row.nothingRan()).isEqualTo(nothingRan);
        assertThat(row.fault()).isEqualTo(fault);
        assertThat(row.exceptionType()).isEqualTo(exception);
    }

    @ParameterizedTest
    @EnumSource(value = WireError.class, names = "REMOTE_ERROR", mode = EnumSource.Mode.EXCLUDE)
    void theClientDecodesEveryErrorAServerWritesIntoItsException(WireError row) throws Exception {
        Set<Integer> statuses = row.statuses().isEmpty() ? Set.of(400, 404, 405, 406, 431, 500) : row.statuses();
        for (int status : statuses) {
            Reply reply = Reply.error(row, status, "it went wrong");
            assertThat(reply.status()).isEqualTo(status);
            Wire.Error error = Wire.ERROR_READER.<Wire.ErrorBody>readValue(reply.body()).error();
            assertThat(error.type()).isEqualTo(row.type());
            RuntimeException raised = client.exception(status, error, Duration.ofSeconds(2));
            Class<?> expected = row == WireError.HTTP_ERROR && status == 500 ? RemoteError.class : row.exceptionType();
            assertThat(raised).as(row + " " + status).isExactlyInstanceOf(expected)
                    .hasMessageContaining("it went wrong");
            assertThat(reply.retryLater()).isEqualTo(status == 503);
        }
    }

    @Test
    void aBusyServersRetryAfterAndAnExpiredRequestsNothingRanReachTheCaller() throws Exception {
        ServerBusy busy = (ServerBusy) decode(Reply.error(WireError.SERVER_BUSY, "full; send again later"));
        assertThat(busy.retryAfter()).contains(Duration.ofSeconds(2));
        assertThat(busy).hasMessageContaining("after 2000 ms");
        assertThat(decode(Reply.error(WireError.EXPIRED, "waited"))).isInstanceOf(MessagingTimeout.class)
                .hasMessageStartingWith("the server did not run it: waited");
    }

    @Test
    void aMethodsExceptionArrivesAsARemoteErrorWithItsTypeAndTrace() throws Exception {
        Reply reply = Reply.remote(IllegalStateException.class.getName(), "boom", List.of("a.B.c(B.java:1)"));
        assertThat(reply.status()).isEqualTo(500);
        RemoteError remote = (RemoteError) decode(reply);
        assertThat(remote.remoteType()).isEqualTo("java.lang.IllegalStateException");
        assertThat(remote.remoteMessage()).isEqualTo("boom");
        assertThat(remote.remoteTrace()).containsExactly("a.B.c(B.java:1)");
        RuntimeException allowed = new ReplyDecoder(Set.of("java.lang.IllegalStateException")).exception(500,
                Wire.ERROR_READER.<Wire.ErrorBody>readValue(reply.body()).error(), Duration.ZERO);
        assertThat(allowed).isExactlyInstanceOf(IllegalStateException.class).hasMessage("boom")
                .hasCauseInstanceOf(RemoteError.class);
    }

    @Test
    void anUnknownTypeIsAnHttpErrorOrAt500ARemoteOne() {
        assertThat(client.exception(418, new Wire.Error("Teapot", "short and stout", null), Duration.ZERO))
                .isExactlyInstanceOf(RpcException.class).hasMessage("HTTP 418: short and stout");
        assertThat(client.exception(500, new Wire.Error("com.example.Oops", "oops", null), Duration.ZERO))
                .isExactlyInstanceOf(RemoteError.class);
        assertThat(WireError.named("RemoteError")).isEmpty();
    }

    @Test
    void anErrorIsNotWrittenWithAStatusItIsNotAnsweredWith() {
        assertThatThrownBy(() -> Reply.error(WireError.SERVER_BUSY, 500, "no"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Reply.error(WireError.HTTP_ERROR, 200, "no"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @MethodSource("rows")
    void everyExceptionLeadsBackToItsRow(WireError row, String type, int status, Set<Integer> statuses,
            boolean nothingRan, Fault fault, Class<?> exception) {
        if (row == WireError.UNKNOWN_CALL) {
            return; // the client never raises it: the call monitor reads only the status
        }
        RpcException raised = row == WireError.REMOTE_ERROR ? new RemoteError("x.Y", "m", List.of())
                : row.exception(status, new Wire.Error(type, "m", null), Duration.ZERO);
        assertThat(WireError.raising(raised)).isEqualTo(row);
    }

    @Test
    void theRpcDocumentListsEveryFixedType() throws Exception {
        JsonNode document;
        try (InputStream in = WireError.class.getResourceAsStream("/io/hotline/rpc/openapi.json")) {
            document = Wire.MAPPER.readTree(in);
        }
        String types = document.at("/components/schemas/ErrorBody/properties/error/properties/type/description")
                .asText();
        for (WireError row : WireError.values()) {
            if (row != WireError.REMOTE_ERROR) {
                assertThat(types).as(row.type()).containsPattern("\\b" + row.type() + "\\b");
            }
        }
    }

    private RuntimeException decode(Reply reply) throws Exception {
        return client.exception(reply.status(), Wire.ERROR_READER.<Wire.ErrorBody>readValue(reply.body()).error(),
                Duration.ofSeconds(2));
    }
}

package io.hotline.rpc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotline.rpc.InvalidRequest;
import io.hotline.rpc.internal.wire.StrictJson;
import io.hotline.rpc.internal.wire.Version;
import io.hotline.rpc.internal.wire.Wire;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Endpoints are bound once; arguments are taken by name and converted to each parameter's type. Which problem a
 * request is told of does not depend on the order of its arguments: the first parameter, in the method's order, that
 * is missing or does not convert, and only then an argument the method has no parameter for.
 */
class DispatcherTest {

    /** An endpoint whose parameters take values of several shapes. */
    public static final class Api {
        public int add(int a, int b) {
            return a + b;
        }

        public String tally(int first, Map<String, Integer> sizes, RpcContext context) {
            return first + " " + sizes + " " + context.msgId();
        }

        public List<Integer> lengths(List<String> words, int times) {
            return words.stream().map(w -> w.length() * times).toList();
        }
    }

    private final Dispatcher dispatcher = new Dispatcher(List.of(new Dispatcher.Endpoint(null, Version.DEFAULT,
            new Api())), AccessPolicy.DEFAULT);

    private Object call(String method, String args) throws Exception {
        Wire.Request request = StrictJson.read(Wire.REQUEST_READER, ("{\"kind\": \"call\", \"method\": \"" + method
                + "\", \"args\": " + args + "}").getBytes(StandardCharsets.UTF_8));
        return dispatcher.find(method, null, Version.DEFAULT).invoke(request.args(), new RpcContext(Map.of(), "m-1"));
    }

    @Test
    void eachArgumentIsReadIntoItsParametersType() throws Exception {
        assertThat(call("add", "{\"b\": 2, \"a\": 40}")).isEqualTo(42);
        assertThat(call("tally", "{\"sizes\": {\"x\": 1, \"y\": 2}, \"first\": 7}")).isEqualTo("7 {x=1, y=2} m-1");
        assertThat(call("lengths", "{\"words\": [\"a\", \"bcd\"], \"times\": 2}")).isEqualTo(List.of(2, 6));
    }

    @Test
    void anArgumentGivenTwiceTakesItsLastValue() throws Exception {
        assertThat(call("add", "{\"a\": 1, \"b\": 2, \"a\": 10}")).isEqualTo(12);
    }

    @Test
    void aValueThatDoesNotConvertIsToldWithItsParameterTypeAndValue() {
        assertThatThrownBy(() -> call("lengths", "{\"words\": [[\"a\"], \"b\"], \"times\": 2}"))
                .isInstanceOf(InvalidRequest.class).hasMessage("argument 'words' of lengths(words, times) must be"
                        + " java.util.List<java.lang.String>, not [[\"a\"],\"b\"]");
    }

    /** The fields inside an argument's value are its own, not arguments, even when the value does not convert. */
    @Test
    void fieldsInsideAValueThatDoesNotConvertAreNotTakenForArguments() {
        assertThatThrownBy(() -> call("tally", "{\"sizes\": {\"x\": {\"first\": 5, \"other\": 1}}}"))
                .isInstanceOf(InvalidRequest.class).hasMessage("tally(first, sizes) needs argument 'first'");
        assertThatThrownBy(() -> call("tally", "{\"sizes\": {\"x\": [{\"first\": 5}]}, \"first\": 1}"))
                .isInstanceOf(InvalidRequest.class).hasMessageStartingWith("argument 'sizes' of tally(first, sizes)");
    }

    @Test
    void theFirstParameterInTheMethodsOrderWithAProblemIsTold() {
        assertThatThrownBy(() -> call("add", "{\"b\": \"x\"}")).isInstanceOf(InvalidRequest.class)
                .hasMessage("add(a, b) needs argument 'a'");
        assertThatThrownBy(() -> call("add", "{\"b\": 1, \"a\": [1]}")).isInstanceOf(InvalidRequest.class)
                .hasMessage("argument 'a' of add(a, b) must be int, not [1]");
        assertThatThrownBy(() -> call("add", "{\"c\": 3, \"a\": {}, \"b\": 1}")).isInstanceOf(InvalidRequest.class)
                .hasMessage("argument 'a' of add(a, b) must be int, not {}");
    }

    @Test
    void anArgumentWithoutAParameterIsToldOnceEveryParameterIsFine() {
        assertThatThrownBy(() -> call("add", "{\"zz\": {\"a\": 1}, \"a\": 1, \"b\": 2, \"c\": 3}"))
                .isInstanceOf(InvalidRequest.class).hasMessage("add(a, b) takes no argument 'zz'");
    }

    /** The context is the server's to give, not the caller's: an argument of its name is not silently dropped. */
    @Test
    void theContextParameterIsNotAnArgument() {
        assertThatThrownBy(() -> call("tally", "{\"first\": 1, \"sizes\": {}, \"context\": {}}"))
                .isInstanceOf(InvalidRequest.class).hasMessage("tally(first, sizes) takes no argument 'context'");
    }

    @Test
    void overloadedEndpointMethodsAreRefused() {
        Object overloaded = new Object() {
            @SuppressWarnings("unused")
            public int twice(int x) {
                return 2 * x;
            }

            @SuppressWarnings("unused")
            public String twice(String x) {
                return x + x;
            }
        };
        assertThatThrownBy(() -> new Dispatcher(List.of(new Dispatcher.Endpoint(null, Version.DEFAULT,
                overloaded)), AccessPolicy.DEFAULT)).hasMessageContaining("several methods named twice");
    }
}

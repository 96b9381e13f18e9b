package io.hotline.rpc;

/** No endpoint of the target's namespace and a compatible version has the method (HTTP 404). */
public class NoSuchMethod extends RpcException {
    private static final long serialVersionUID = 1L;

    public NoSuchMethod(String message) {
        super(message);
    }
}

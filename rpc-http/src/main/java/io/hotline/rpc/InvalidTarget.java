package io.hotline.rpc;

/** The target cannot be used this way, e.g. a call with fanout, or a service the server does not serve. */
public class InvalidTarget extends RpcException {
    private static final long serialVersionUID = 1L;

    public InvalidTarget(String message) {
        super(message);
    }
}

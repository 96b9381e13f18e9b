package io.hotline.rpc;

/** An RPC could not be done; subclasses say why, named as in oslo.messaging. */
public class RpcException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RpcException(String message) {
        super(message);
    }

    public RpcException(String message, Throwable cause) {
        super(message, cause);
    }
}

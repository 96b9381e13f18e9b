package io.hotline.rpc;

/** The server requires a token and none or a wrong one was sent (HTTP 401 or 403). */
public class AccessDenied extends RpcException {
    private static final long serialVersionUID = 1L;

    public AccessDenied(String message) {
        super(message);
    }
}

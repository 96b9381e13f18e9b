package io.hotline.rpc;

/** The server's work queue is full (HTTP 503); the request was not accepted and may be sent again. */
public class ServerBusy extends RpcException {
    private static final long serialVersionUID = 1L;

    public ServerBusy(String message) {
        super(message);
    }
}

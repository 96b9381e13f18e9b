package io.hotline.rpc;

/** The call asks for a version above the client's version cap; nothing was sent. */
public class VersionCapError extends RpcException {
    private static final long serialVersionUID = 1L;

    public VersionCapError(String message) {
        super(message);
    }
}

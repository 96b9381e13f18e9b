package io.hotline.rpc;

/** No endpoint of the target's namespace serves the requested version (HTTP 409). */
public class UnsupportedVersion extends RpcException {
    private static final long serialVersionUID = 1L;

    public UnsupportedVersion(String message) {
        super(message);
    }
}

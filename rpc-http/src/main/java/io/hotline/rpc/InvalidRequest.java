package io.hotline.rpc;

/** The server refused the request as malformed: bad JSON, wrong arguments, wrong content type, too large. */
public class InvalidRequest extends RpcException {
    private static final long serialVersionUID = 1L;

    public InvalidRequest(String message) {
        super(message);
    }
}

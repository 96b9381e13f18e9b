package io.hotline.rpc;

/** No reply arrived within the call's timeout (oslo's {@code rpc_response_timeout}, 60 s by default). */
public class MessagingTimeout extends RpcException {
    private static final long serialVersionUID = 1L;

    public MessagingTimeout(String message, Throwable cause) {
        super(message, cause);
    }
}

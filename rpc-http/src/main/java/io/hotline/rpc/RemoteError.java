package io.hotline.rpc;

import java.util.List;

/**
 * The server's method threw; carries the original exception's type name, message and trace, as oslo's
 * RemoteError does. The client re-raises allowed types as themselves instead (see
 * {@link RpcClient.Builder#allowRemoteExceptions}).
 */
public class RemoteError extends RpcException {
    private static final long serialVersionUID = 1L;

    private final String remoteType;
    private final String remoteMessage;
    private final List<String> remoteTrace;

    public RemoteError(String remoteType, String remoteMessage, List<String> remoteTrace) {
        super("remote " + remoteType + ": " + remoteMessage);
        this.remoteType = remoteType;
        this.remoteMessage = remoteMessage;
        this.remoteTrace = List.copyOf(remoteTrace);
    }

    /** The fully qualified class name of the exception on the server. */
    public String remoteType() {
        return remoteType;
    }

    public String remoteMessage() {
        return remoteMessage;
    }

    /** The server-side stack trace, one frame per line. */
    public List<String> remoteTrace() {
        return remoteTrace;
    }
}

package io.hotline.testing;

import java.util.Locale;

/**
 * A {@link ServerProcess} could not be launched, exited, or was not ready in time. The message names the command,
 * the reason, the last lines of the server's output and its kept directory:
 *
 * <pre>
 * redis failed to start: exited with code 1 before it was ready
 *   command: redis-server --port 41234 --bind 127.0.0.1
 *   directory (kept): /tmp/hotline-redis-8812736
 *   last 40 lines of /tmp/hotline-redis-8812736/redis-output.log:
 *     # Warning: Could not create server TCP listening socket 127.0.0.1:41234: bind: Address already in use
 * </pre>
 */
public final class ServerStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ServerStartException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Whether the server could not bind its port because something else held it: a port {@link FreePorts} found
     * free may be taken by another process (an outgoing connection's ephemeral port, say) before the server binds
     * it, and a harness that chose the port may then try again on another.
     */
    public boolean portTaken() {
        String message = getMessage();
        if (message == null) {
            return false;
        }
        // The log goes on across starts; only what the failed start wrote counts.
        String thisStart = message.substring(Math.max(0, message.lastIndexOf(ServerProcess.START_MARK)))
                .toLowerCase(Locale.ROOT);
        // named does not say why it could not bind; on its one loopback address, a taken port is the likely cause.
        return thisStart.contains("address already in use")
                || thisStart.contains("unable to listen on any configured interfaces");
    }
}

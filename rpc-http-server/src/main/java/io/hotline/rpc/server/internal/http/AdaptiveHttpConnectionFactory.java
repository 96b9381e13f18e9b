package io.hotline.rpc.server.internal.http;

import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.internal.HttpConnection;

/**
 * HTTP/1.1 connections that are read the way their last request needed, for a handler declared non-blocking that
 * hands what may block to the pool itself.
 *
 * <p>Jetty decides how to run a connection's next request before reading it, from the connection's invocation type.
 * Non-blocking, the I/O thread runs it and wakes no other thread: the cheapest for what never waits (a cast queued,
 * a refusal, a {@code NonBlocking} call), but a call that may block must then be handed to a pool thread, and waking
 * that thread lies on the call's path (about 75 µs more per call on these VMs). Blocking, the I/O thread wakes
 * another to go on reading and runs the request itself, which may then block: the wake is off the call's path, but it
 * is spent for every request. Neither suits both, and a connection mostly carries one kind (a conductor's casts, a
 * scheduler's calls), so each connection is read as its last request needed: non-blocking at first and after
 * anything that did not block, blocking after a call that may block.
 */
public final class AdaptiveHttpConnectionFactory extends HttpConnectionFactory {

    public AdaptiveHttpConnectionFactory(HttpConfiguration configuration) {
        super(configuration);
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        Adaptive connection = new Adaptive(getHttpConfiguration(), connector, endPoint);
        connection.setUseInputDirectByteBuffers(isUseInputDirectByteBuffers());
        connection.setUseOutputDirectByteBuffers(isUseOutputDirectByteBuffers());
        return configure(connection, connector, endPoint);
    }

    /**
     * Whether the thread handling {@code request} may block: true only on a connection of this factory read as
     * blocking. Anything else (another connection type, such as HTTP/2, or a connection read as non-blocking) may be
     * on an I/O thread, so false. Meaningful only on the thread Jetty called the handler on, while it handles.
     */
    public static boolean mayBlock(Request request) {
        return request.getConnectionMetaData().getConnection() instanceof Adaptive a && a.readBlocking;
    }

    /** Has the next request of {@code request}'s connection read as blocking or not; no effect on other connections. */
    public static void readNext(Request request, boolean blocking) {
        if (request.getConnectionMetaData().getConnection() instanceof Adaptive a) {
            a.blocking = blocking;
        }
    }

    private static final class Adaptive extends HttpConnection {
        /** How to run the next read: set by the handler, read by Jetty when it next selects the connection. */
        private volatile boolean blocking;
        /**
         * How the read running now was started. Not {@link #blocking}, which a request may change while the same read
         * goes on to the next request: a call handed to the pool may finish before its handler returns, and Jetty then
         * reads on, still on the thread it started with, which may be an I/O thread.
         */
        private volatile boolean readBlocking;

        Adaptive(HttpConfiguration configuration, Connector connector, EndPoint endPoint) {
            super(configuration, connector, endPoint);
        }

        @Override
        public InvocationType getInvocationType() {
            return blocking ? InvocationType.BLOCKING : InvocationType.NON_BLOCKING;
        }

        /** Each read of the connection, whether Jetty selected it or resumes it on a pool thread after a reply. */
        @Override
        public void onFillable() {
            readBlocking = blocking;
            super.onFillable();
        }
    }
}

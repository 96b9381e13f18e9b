package io.hotline.benchmarks;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.hotline.testing.FreePorts;
import io.hotline.testing.ReadinessCheck;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * gRPC-java unary calls over one plaintext HTTP/2 connection on loopback, to a server in a JVM of its own. The method
 * is described by hand with a {@code byte[]} marshaller, so no protoc is needed; the bytes are the same JSON as
 * everyone else's.
 *
 * <p>Either server and client run callbacks on the Netty event loop ({@code directExecutor}), the setting gRPC
 * recommends for handlers that never block, such as this echo: the fastest gRPC-java gets. Or both keep gRPC's default
 * executors, which hand every call to a pool thread, as a service must whose methods may block; Hotline's server runs
 * its endpoints' methods on pool threads for the same reason.
 */
final class GrpcEcho implements Contender {

    private static final String SERVICE = "hotline.bench.Echo";
    private static final MethodDescriptor<byte[], byte[]> ECHO = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Echo"))
            .setRequestMarshaller(new BytesMarshaller())
            .setResponseMarshaller(new BytesMarshaller())
            .build();
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);

    private final EchoServerJvm server;
    private final ManagedChannel channel;
    private final Duration requestTimeout;
    private final boolean direct;

    GrpcEcho(Duration requestTimeout, boolean direct, List<String> serverJavaOptions) {
        this.requestTimeout = requestTimeout;
        this.direct = direct;
        int port = FreePorts.tcp();
        server = EchoServerJvm.start(name(), serverJavaOptions, ReadinessCheck.tcp(port),
                dir -> List.of("grpc", String.valueOf(port), String.valueOf(direct)));
        try {
            NettyChannelBuilder channelBuilder = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext();
            channel = (direct ? channelBuilder.directExecutor() : channelBuilder).build();
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** The server's side, run by {@link EchoServerJvm}: the echo service on {@code port}. */
    static AutoCloseable serve(int port, boolean direct) throws IOException {
        ServerServiceDefinition service = ServerServiceDefinition.builder(SERVICE)
                .addMethod(ECHO, ServerCalls.asyncUnaryCall(GrpcEcho::echo))
                .build();
        NettyServerBuilder serverBuilder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .addService(service);
        Server server = (direct ? serverBuilder.directExecutor() : serverBuilder).build();
        server.start();
        return () -> shutdown(server.shutdown());
    }

    @Override
    public String name() {
        return direct ? "gRPC unary" : "gRPC unary, default executors";
    }

    @Override
    public long serverPid() {
        return server.pid();
    }

    @Override
    public CompletableFuture<?> call() {
        CompletableFuture<Map<String, Object>> reply = new CompletableFuture<>();
        ClientCalls.asyncUnaryCall(
                channel.newCall(ECHO, CallOptions.DEFAULT.withDeadlineAfter(requestTimeout.toMillis(),
                        TimeUnit.MILLISECONDS)),
                Payload.encode(Payload.ARGS),
                new StreamObserver<>() {
                    @Override
                    public void onNext(byte[] value) {
                        try {
                            reply.complete(Payload.decode(value));
                        } catch (RuntimeException e) {
                            reply.completeExceptionally(e);
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        reply.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        if (!reply.isDone()) {
                            reply.completeExceptionally(new IllegalStateException("the echo call ended without a reply"));
                        }
                    }
                });
        return reply;
    }

    @Override
    public void close() {
        try {
            shutdown(channel.shutdown());
        } finally {
            server.close();
        }
    }

    private static void echo(byte[] request, StreamObserver<byte[]> response) {
        response.onNext(Payload.echo(request));
        response.onCompleted();
    }

    private static void shutdown(ManagedChannel c) {
        try {
            if (!c.awaitTermination(SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                c.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            c.shutdownNow();
        }
    }

    private static void shutdown(Server s) {
        try {
            if (!s.awaitTermination(SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                s.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            s.shutdownNow();
        }
    }

    /** Bytes as they are: the message is already the JSON every contender sends. */
    private static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read a gRPC message", e);
            }
        }
    }
}

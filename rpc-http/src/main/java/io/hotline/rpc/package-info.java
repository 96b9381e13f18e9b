/**
 * oslo.messaging's RPC over HTTP, without a broker, the client side: {@link io.hotline.rpc.RpcClient} finds servers
 * under a {@link io.hotline.rpc.Target} through the discovery core and calls, casts and fans out. Failures are
 * {@link io.hotline.rpc.RpcException}s named as oslo names them, the same on both sides of the wire. The server is in
 * the {@code rpc-http-server} module ({@code io.hotline.rpc.server.RpcServer}); a process that only calls needs this
 * module alone.
 *
 * <pre>{@code
 * Target conductor = Target.topic("conductor").exchange("nova");
 * try (RpcClient client = RpcClient.builder(store).build()) {
 *     String pong = client.prepare(conductor).call("ping", Map.of("arg", "x"), String.class);
 * }
 * }</pre>
 *
 * <p>Types in {@code io.hotline.rpc.internal.*} are shared plumbing between Hotline's own modules (the server, the
 * broadcaster, the command line): they are public only for that, and may change without notice.
 */
package io.hotline.rpc;

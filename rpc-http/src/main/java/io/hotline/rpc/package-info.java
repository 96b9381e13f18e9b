/**
 * oslo.messaging's RPC over HTTP, without a broker: {@link io.hotline.rpc.RpcServer} serves endpoint objects under a
 * {@link io.hotline.rpc.Target} and registers in the endpoint store; {@link io.hotline.rpc.RpcClient} finds servers
 * through the discovery core and calls, casts and fans out. Failures are {@link io.hotline.rpc.RpcException}s named
 * as oslo names them.
 *
 * <pre>{@code
 * Target conductor = Target.topic("conductor").exchange("nova");
 * try (RpcServer server = RpcServer.builder(store).target(conductor.server("host-1"))
 *         .endpoint(new ConductorApi()).start();
 *      RpcClient client = RpcClient.builder(store).build()) {
 *     String pong = client.prepare(conductor).call("ping", Map.of("arg", "x"), String.class);
 * }
 * }</pre>
 *
 * <p>Types in {@code io.hotline.rpc.internal.*} are shared plumbing between Hotline's own modules (the broadcaster,
 * the command line): they are public only for that, and may change without notice.
 */
package io.hotline.rpc;

/**
 * oslo.messaging's RPC over HTTP, the server side: {@link io.hotline.rpc.server.RpcServer} serves endpoint objects
 * under a {@link io.hotline.rpc.Target} (Jersey on Jetty), registers in the endpoint store, and answers the
 * {@link io.hotline.rpc.RpcClient}s of the {@code rpc-http} module. An endpoint method may take an
 * {@link io.hotline.rpc.server.RpcContext}; {@link io.hotline.rpc.server.ListenerSettings} and
 * {@link io.hotline.rpc.server.AccessPolicy} say where it listens and which methods it exposes.
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
 * <p>Types in {@code io.hotline.rpc.server.internal.*} are plumbing shared with the broadcaster and the command line:
 * they are public only for that, and may change without notice.
 */
package io.hotline.rpc.server;

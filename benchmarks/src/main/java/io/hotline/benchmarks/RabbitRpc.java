package io.hotline.benchmarks;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * RPC over RabbitMQ the way oslo.messaging's rabbit driver does it: the server consumes a queue bound to a topic
 * exchange under its topic; a call is published there with {@code reply_to} naming the client's own reply queue and
 * a correlation id, and the server publishes the result to that queue. Messages are transient and queues not
 * durable, oslo's defaults. The server runs in a JVM of its own ({@link EchoServerJvm}), the client here, each with
 * its own connection, as separate processes have.
 *
 * <p>Casts are published to the same exchange on a channel in confirm mode. Each cast completes when the broker
 * confirms it; confirms are asynchronous, so up to the driver's in-flight count are outstanding at once, and the
 * broker acknowledges them in batches ({@code multiple=true}) as it sees fit.
 */
final class RabbitRpc implements CastContender {

    private static final String EXCHANGE = "bench";
    private static final String TOPIC = "echo";
    private static final String QUEUE = "bench.echo";
    private static final String JSON = "application/json";
    /** The server's connection timeouts: far above anything a loopback broker takes. */
    private static final Duration SERVER_TIMEOUT = Duration.ofSeconds(10);

    /** The message type of the call that asks the server how many casts it handled. */
    private static final String RECORDED = "recorded";

    private final String version;
    private final Duration requestTimeout;
    private final EchoServerJvm server;
    private final Connection clientConnection;
    private final Channel callChannel;
    private final Channel castChannel;
    private final String replyQueue;
    private final Map<String, CompletableFuture<Map<String, Object>>> calls = new ConcurrentHashMap<>();
    private final ConcurrentNavigableMap<Long, CompletableFuture<Void>> casts = new ConcurrentSkipListMap<>();
    private final AtomicLong correlation = new AtomicLong();
    private final AtomicLong castsConfirmed = new AtomicLong();
    // Confirms arrive on the connection's reader thread. Completing a cast there would make the driver publish the
    // next one from that thread, which blocks if the broker applies flow control, and then no frame, not even the
    // broker's "unblocked", is read any more.
    private final RabbitBroker broker;
    private final ExecutorService confirms = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "rabbit-confirms");
        t.setDaemon(true);
        return t;
    });

    RabbitRpc(RabbitBroker broker, Duration requestTimeout, List<String> serverJavaOptions) {
        this.requestTimeout = requestTimeout;
        this.broker = broker;
        Connection client = null;
        EchoServerJvm started = null;
        try {
            client = broker.connectionFactory(requestTimeout).newConnection("echo-client");
            callChannel = client.createChannel();
            // The server declares the same; whichever comes first creates them.
            declare(callChannel);
            // Server-named, exclusive and auto-deleted: the per-client reply queue.
            replyQueue = callChannel.queueDeclare().getQueue();
            callChannel.basicConsume(replyQueue, true, new Replies(callChannel));
            castChannel = client.createChannel();
            castChannel.confirmSelect();
            castChannel.addConfirmListener(new Confirms());
            started = EchoServerJvm.start("rabbitmq", serverJavaOptions, () -> callChannel.consumerCount(QUEUE) == 1,
                    dir -> List.of("rabbitmq", String.valueOf(broker.port())));
        } catch (IOException | TimeoutException | RuntimeException e) {
            closeQuietly(client);
            confirms.shutdownNow();
            throw new IllegalStateException("cannot set up RPC over RabbitMQ at 127.0.0.1:" + broker.port() + ": " + e,
                    e);
        }
        server = started;
        clientConnection = client;
        version = String.valueOf(client.getServerProperties().get("version"));
    }

    /**
     * The server's side, run by {@link EchoServerJvm}: a connection of its own consuming the topic's queue, as an
     * oslo RPC server process does.
     */
    static AutoCloseable serve(int amqpPort) throws IOException, TimeoutException {
        Connection connection = RabbitBroker.connectionFactory(amqpPort, SERVER_TIMEOUT).newConnection("echo-server");
        try {
            Channel channel = connection.createChannel();
            declare(channel);
            channel.basicConsume(QUEUE, false, new EchoServer(channel));
        } catch (IOException | RuntimeException e) {
            closeQuietly(connection);
            throw e;
        }
        return () -> closeQuietly(connection);
    }

    private static void declare(Channel channel) throws IOException {
        channel.exchangeDeclare(EXCHANGE, BuiltinExchangeType.TOPIC, false);
        channel.queueDeclare(QUEUE, false, false, false, null);
        channel.queueBind(QUEUE, EXCHANGE, TOPIC);
    }

    @Override
    public String name() {
        return "RabbitMQ " + version + " RPC";
    }

    @Override
    public long serverPid() {
        return server.pid();
    }

    /** The broker, whose CPU is this contender's as much as its client's and server's are. */
    @Override
    public List<Long> brokerPids() {
        return List.of(broker.pid());
    }

    @Override
    public CompletableFuture<?> call() {
        return call(null);
    }

    /** A call of the echo, or with a {@code type}, of another of the server's methods. */
    private CompletableFuture<Map<String, Object>> call(String type) {
        String id = Long.toString(correlation.incrementAndGet());
        CompletableFuture<Map<String, Object>> reply = new CompletableFuture<>();
        calls.put(id, reply);
        // Removed on any outcome, so that a late reply to a timed-out call finds nothing.
        reply.orTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((r, e) -> calls.remove(id));
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .contentType(JSON)
                .deliveryMode(1)
                .replyTo(replyQueue)
                .correlationId(id)
                .type(type)
                .build();
        try {
            // Channels are not meant for concurrent publishing; the driver calls from several threads.
            synchronized (callChannel) {
                callChannel.basicPublish(EXCHANGE, TOPIC, props, Payload.encode(Payload.ARGS));
            }
        } catch (IOException | RuntimeException e) {
            reply.completeExceptionally(e);
        }
        return reply;
    }

    /** Complete when the broker confirms it. */
    @Override
    public CompletableFuture<?> cast() {
        CompletableFuture<Void> confirmed = new CompletableFuture<>();
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType(JSON).deliveryMode(1).build();
        try {
            synchronized (castChannel) {
                long seq = castChannel.getNextPublishSeqNo();
                casts.put(seq, confirmed);
                confirmed.orTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
                        .whenComplete((r, e) -> casts.remove(seq));
                castChannel.basicPublish(EXCHANGE, TOPIC, props, Payload.encode(Payload.ARGS));
            }
        } catch (IOException | RuntimeException e) {
            confirmed.completeExceptionally(e);
        }
        return confirmed.thenRun(castsConfirmed::incrementAndGet);
    }

    /**
     * Asks the server, by a call, how many casts it handled, until that is every cast the broker confirmed. The server
     * takes its queue's messages in order, so the answer counts every cast queued before the question.
     */
    @Override
    public long awaitCastsHandled(Duration timeout) throws InterruptedException {
        return Backlog.await(() -> castsConfirmed.get() - recorded(timeout), timeout);
    }

    /**
     * The server's count, asked behind every cast queued so far; 0 (none handled, as far as anyone can tell) if it
     * does not answer within {@code timeout}, as when the backlog is longer than that.
     */
    private long recorded(Duration timeout) {
        CompletableFuture<Map<String, Object>> answer = call(RECORDED);
        try {
            return ((Number) answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(RECORDED)).longValue();
        } catch (TimeoutException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking the RabbitMQ echo server for its count", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TimeoutException) {
                // The call's own timeout (the request timeout) came first.
                return 0;
            }
            throw new IllegalStateException("the RabbitMQ echo server did not say how many casts it handled: " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            closeQuietly(clientConnection);
            server.close();
        } finally {
            confirms.shutdownNow();
        }
        IllegalStateException left = new IllegalStateException("the RabbitMQ connections were closed");
        calls.values().forEach(f -> f.completeExceptionally(left));
        casts.values().forEach(f -> f.completeExceptionally(left));
    }

    private static void closeQuietly(Connection c) {
        if (c != null && c.isOpen()) {
            try {
                c.close();
            } catch (IOException e) {
                // Closing: the broker is stopped next anyway, which ends the connection for good.
            }
        }
    }

    /**
     * The RPC server: echoes a call to its reply queue; a cast (no reply_to) is decoded and counted; a call of type
     * {@value #RECORDED} is answered with that count.
     */
    private static final class EchoServer extends DefaultConsumer {
        private long castsHandled;

        EchoServer(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body)
                throws IOException {
            // Deliveries of one channel run one at a time, so the count needs no lock.
            byte[] result = RECORDED.equals(props.getType())
                    ? Payload.encode(Map.of(RECORDED, castsHandled)) : Payload.echo(body);
            if (props.getReplyTo() != null) {
                AMQP.BasicProperties reply = new AMQP.BasicProperties.Builder()
                        .contentType(JSON)
                        .deliveryMode(1)
                        .correlationId(props.getCorrelationId())
                        .build();
                // Deliveries of one channel run one at a time, so publishing on it here needs no lock.
                getChannel().basicPublish("", props.getReplyTo(), reply, result);
            } else {
                castsHandled++;
            }
            getChannel().basicAck(envelope.getDeliveryTag(), false);
        }
    }

    /** The client's reply consumer: completes the call with the same correlation id. */
    private final class Replies extends DefaultConsumer {
        Replies(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
            CompletableFuture<Map<String, Object>> reply = calls.remove(props.getCorrelationId());
            if (reply != null) {
                try {
                    reply.complete(Payload.decode(body));
                } catch (UncheckedIOException e) {
                    reply.completeExceptionally(e);
                }
            }
        }
    }

    /** Completes the casts the broker confirmed (or refused), up to and including {@code seq} when multiple. */
    private final class Confirms implements ConfirmListener {
        @Override
        public void handleAck(long seq, boolean multiple) {
            confirms.execute(() -> settle(seq, multiple, null));
        }

        @Override
        public void handleNack(long seq, boolean multiple) {
            confirms.execute(() -> settle(seq, multiple, new IllegalStateException("the broker refused cast " + seq)));
        }

        private void settle(long seq, boolean multiple, RuntimeException refused) {
            Map<Long, CompletableFuture<Void>> done = multiple ? casts.headMap(seq, true) : casts.subMap(seq, true, seq,
                    true);
            for (var it = done.values().iterator(); it.hasNext(); ) {
                CompletableFuture<Void> f = it.next();
                it.remove();
                if (refused == null) {
                    f.complete(null);
                } else {
                    f.completeExceptionally(refused);
                }
            }
        }
    }
}

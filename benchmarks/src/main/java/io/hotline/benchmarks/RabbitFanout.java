package io.hotline.benchmarks;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;

/**
 * oslo's fanout over RabbitMQ: a fanout exchange bound to N queues, one per server, each with its own consumer that
 * records the message (an event name) in {@link Arrivals}. Publishing is on a channel of a connection of its own.
 *
 * <p>Consumers either share a few channels of one connection, as N servers in a few processes could, or each has a
 * connection of its own, as N servers on N hosts (nova-compute on every hypervisor) have, and as each of Hotline's
 * servers has its own port. The second way makes the broker write to N sockets, as a broadcaster does.
 */
final class RabbitFanout implements AutoCloseable {

    private static final int CONSUMERS_PER_CHANNEL = 100;
    /** Threads delivering to the consumers of all per-server connections, so a thousand fit in one process. */
    private static final int DELIVERY_THREADS = 16;

    private final List<Connection> consumers = new ArrayList<>();
    private final ExecutorService deliveries;
    private final Connection publisher;
    private final Channel publish;
    private final String exchange;

    RabbitFanout(RabbitBroker broker, String exchange, int n, Arrivals arrivals, Duration timeout,
            boolean connectionPerServer) throws IOException, TimeoutException {
        this.exchange = exchange;
        ConnectionFactory factory = broker.connectionFactory(timeout);
        publisher = factory.newConnection("fanout-publisher");
        deliveries = connectionPerServer ? Executors.newFixedThreadPool(DELIVERY_THREADS) : null;
        try {
            publish = publisher.createChannel();
            publish.exchangeDeclare(exchange, BuiltinExchangeType.FANOUT, false, true, null);
            Channel ch = null;
            for (int i = 0; i < n; i++) {
                if (connectionPerServer) {
                    Connection c = factory.newConnection(deliveries, "fanout-server-" + i);
                    consumers.add(c);
                    ch = c.createChannel();
                } else if (i % CONSUMERS_PER_CHANNEL == 0) {
                    if (consumers.isEmpty()) {
                        consumers.add(factory.newConnection("fanout-consumers"));
                    }
                    ch = consumers.get(0).createChannel();
                }
                consume(ch, i, arrivals);
            }
        } catch (IOException | TimeoutException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void consume(Channel ch, int receiver, Arrivals arrivals) throws IOException {
        String queue = ch.queueDeclare("", false, true, true, null).getQueue();
        ch.queueBind(queue, exchange, "");
        ch.basicConsume(queue, true, new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                arrivals.arrived(new String(body, StandardCharsets.UTF_8), receiver);
            }
        });
    }

    /** Publishes one fanout message. */
    void cast(String event) throws IOException {
        publish.basicPublish(exchange, "", null, event.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        try {
            publisher.abort();
            consumers.forEach(Connection::abort);
        } finally {
            if (deliveries != null) {
                deliveries.shutdownNow();
            }
        }
    }
}

package io.hotline.benchmarks;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * oslo's fanout over RabbitMQ: a fanout exchange bound to N queues, one per server, each with its own consumer that
 * records the message (an event name) in {@link Arrivals}. Consumers share a few channels of one connection, as N
 * servers in a few processes would share connections; publishing is on a channel of another connection.
 */
final class RabbitFanout implements AutoCloseable {

    private static final int CONSUMERS_PER_CHANNEL = 100;

    private final Connection consumers;
    private final Connection publisher;
    private final Channel publish;
    private final String exchange;

    RabbitFanout(RabbitBroker broker, String exchange, int n, Arrivals arrivals, Duration timeout) throws Exception {
        this.exchange = exchange;
        var factory = broker.connectionFactory(timeout);
        consumers = factory.newConnection("fanout-consumers");
        publisher = factory.newConnection("fanout-publisher");
        publish = publisher.createChannel();
        publish.exchangeDeclare(exchange, BuiltinExchangeType.FANOUT, false, true, null);
        List<Channel> channels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (i % CONSUMERS_PER_CHANNEL == 0) {
                channels.add(consumers.createChannel());
            }
            Channel ch = channels.get(channels.size() - 1);
            String queue = ch.queueDeclare("", false, true, true, null).getQueue();
            ch.queueBind(queue, exchange, "");
            int receiver = i;
            ch.basicConsume(queue, true, new DefaultConsumer(ch) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties,
                        byte[] body) {
                    arrivals.arrived(new String(body, StandardCharsets.UTF_8), receiver);
                }
            });
        }
    }

    /** Publishes one fanout message. */
    void cast(String event) throws Exception {
        publish.basicPublish(exchange, "", null, event.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws Exception {
        try {
            publisher.close();
        } finally {
            consumers.close();
        }
    }
}

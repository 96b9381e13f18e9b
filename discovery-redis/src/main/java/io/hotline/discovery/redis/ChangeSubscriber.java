package io.hotline.discovery.redis;

import io.hotline.discovery.StoreException;
import io.hotline.discovery.spi.Backoff;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Listens on a deployment's change channel on a thread of its own. After every (re)subscribe every watch reads the
 * full state again, because pub/sub drops what is published while nobody listens; when the subscription breaks,
 * every watch ends with the error and the subscriber tries again with jittered backoff until it is closed.
 */
final class ChangeSubscriber {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeSubscriber.class);
    /** 20 ms to 2 s, jittered so that the clients of a restarted Redis do not all subscribe again at once. */
    private static final Backoff BACKOFF = Backoff.exponential(Duration.ofMillis(20), Duration.ofSeconds(2))
            .withJitter(0.5);

    private final RedisDeployment deployment;
    private final Thread thread;
    private volatile Listener listener;
    private volatile boolean closed;

    ChangeSubscriber(RedisDeployment deployment) {
        this.deployment = deployment;
        this.thread = new Thread(this::run, "hotline-redis-subscriber");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        int failures = 0;
        while (!closed) {
            Listener l = new Listener();
            listener = l;
            try {
                deployment.client().subscribe(l, deployment.channel());
                failures = 0;
            } catch (JedisException | IllegalStateException e) {
                if (closed) {
                    return;
                }
                StoreException error = e instanceof JedisException j
                        ? RedisErrors.translate(j, deployment.settings(),
                                "listen for changes on " + deployment.channel())
                        : new StoreException("the Redis store is closed", e);
                LOG.debug("change subscription to Redis {} lost: {}", deployment.settings(), error.getMessage());
                deployment.subscriptionLost(error);
                if (l.wasSubscribed) {
                    failures = 0;
                }
                sleep(BACKOFF.delay(++failures));
            }
        }
    }

    private void sleep(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    void close() {
        closed = true;
        Listener l = listener;
        if (l != null && l.isSubscribed()) {
            try {
                l.unsubscribe();
            } catch (JedisException e) {
                LOG.debug("unsubscribing from Redis {} failed; the connection closes anyway", deployment.settings(), e);
            }
        }
        thread.interrupt();
    }

    private final class Listener extends JedisPubSub {
        private volatile boolean wasSubscribed;

        @Override
        public void onSubscribe(String channel, int subscribedChannels) {
            wasSubscribed = true;
            if (closed) {
                unsubscribe();
                return;
            }
            deployment.subscribed();
        }

        @Override
        public void onMessage(String channel, String message) {
            deployment.changed(message);
        }
    }
}

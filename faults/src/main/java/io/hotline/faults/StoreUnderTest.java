package io.hotline.faults;

import io.hotline.discovery.Zone;
import io.hotline.discovery.file.FileStoreProvider;
import io.hotline.testing.ConsulAgent;
import io.hotline.testing.RedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One store a scenario runs against, with the faults a store can have: down for a while ({@link Server#stop()}, then
 * {@link Server#start()}), and back with nothing in it ({@link #wipe()}). Redis and Consul are real servers on free
 * loopback ports (a Consul dev agent and a redis-server without persistence both come back empty); the file store is
 * a directory, which has no outage of its own, and is emptied by swapping its zone directory for an empty one.
 */
abstract sealed class StoreUnderTest implements AutoCloseable {

    /** The zone every process of a run is in: for Consul, the agent's datacenter. */
    static final String ZONE = "region-one";

    private final String name;

    private StoreUnderTest(String name) {
        this.name = name;
    }

    /** Starts the named store: {@code file}, {@code redis} or {@code consul}. */
    static StoreUnderTest start(String name, Path dir) {
        return switch (name) {
            case "file" -> new FileStore(dir.resolve("store"));
            case "redis" -> new Redis(RedisServer.builder().start());
            case "consul" -> new Consul(ConsulAgent.builder(ZONE).build().start());
            default -> throw new IllegalArgumentException("no store named '" + name + "'; use file, redis or consul");
        };
    }

    String name() {
        return name;
    }

    /** The configuration keys that point a process at this store, the store's name and zone included. */
    final Map<String, String> config() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("hotline.store", name);
        config.put("hotline.zone", ZONE);
        config.putAll(keys());
        return config;
    }

    abstract Map<String, String> keys();

    /** A store that is a server, and so can be down: what {@link StoreOutage} needs. */
    interface Server {
        /** Takes the store down (its server process stops; connections are refused). */
        void stop();

        /** Brings a stopped store back, empty. */
        void start();
    }

    /** Empties a running store: stopped and started again for a server, its records deleted for the file store. */
    abstract void wipe();

    @Override
    public abstract void close();

    private static final class FileStore extends StoreUnderTest {
        private final Path dir;
        private final Path zoneDir;

        FileStore(Path dir) {
            super("file");
            this.dir = dir;
            this.zoneDir = FileStoreProvider.zoneDirectory(dir, Zone.of(ZONE));
            try {
                Files.createDirectories(zoneDir.getParent());
                pointZoneAt(Files.createTempDirectory(dir, ".zone-"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the file store " + dir, e);
            }
        }

        @Override
        Map<String, String> keys() {
            return Map.of("hotline.file.dir", dir.toString(), "hotline.file.poll-interval", "100ms");
        }

        /**
         * Every record gone in one change, as a store restarted empty is: the zone directory is a symbolic link, swung
         * to an empty directory in one rename. (Records deleted one by one, over several of the store's polls, look
         * like servers leaving one at a time, and are taken as such.)
         */
        @Override
        void wipe() {
            try {
                pointZoneAt(Files.createTempDirectory(dir, ".zone-"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot empty the file store " + dir, e);
            }
        }

        private void pointZoneAt(Path target) throws IOException {
            Path link = dir.resolve(".link-" + UUID.randomUUID());
            Files.createSymbolicLink(link, target);
            Files.move(link, zoneDir, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }

        @Override
        public void close() {
            // The run's temp dir holds it, and goes with the run.
        }
    }

    private static final class Redis extends StoreUnderTest implements Server {
        private final RedisServer redis;

        Redis(RedisServer redis) {
            super("redis");
            this.redis = redis;
        }

        @Override
        Map<String, String> keys() {
            return Map.of("hotline.redis.nodes", redis.address());
        }

        @Override
        public void stop() {
            redis.stop();
        }

        @Override
        public void start() {
            redis.start();
        }

        @Override
        void wipe() {
            redis.restart();
        }

        @Override
        public void close() {
            redis.close();
        }
    }

    private static final class Consul extends StoreUnderTest implements Server {
        private final ConsulAgent consul;

        Consul(ConsulAgent consul) {
            super("consul");
            this.consul = consul;
        }

        @Override
        Map<String, String> keys() {
            return Map.of("hotline.consul.port", Integer.toString(consul.httpPort()), "hotline.consul.datacenter", ZONE);
        }

        @Override
        public void stop() {
            consul.stop();
        }

        @Override
        public void start() {
            consul.start();
        }

        @Override
        void wipe() {
            consul.stop();
            consul.start();
        }

        @Override
        public void close() {
            consul.close();
        }
    }
}

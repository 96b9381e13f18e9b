package io.hotline.benchmarks;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryDelayHandler;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.TopologyRecoveryException;
import com.rabbitmq.client.impl.DefaultExceptionHandler;
import com.rabbitmq.client.impl.nio.NioParams;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Issue 18's restart storm on RabbitMQ, beside {@link FleetBenchmark}'s on Hotline's stores: N simulated nova-compute
 * hosts, each on an AMQP connection of its own consuming its {@code compute.<host>} queue, conductors calling and
 * casting to random hosts, and the broker restarted under them.
 *
 * <p>Per round: a fresh private broker ({@link RabbitBroker}); the N hosts connect, each declaring what oslo.messaging's
 * rabbit driver declares for a compute service's RPC server: the topic exchange {@code nova}, its queue
 * {@code compute.<host>} bound under that name, and (unless {@code --no-fanout}) an auto-deleted
 * {@code compute_fanout_<uuid>} queue on the fanout exchange {@code compute_fanout}, all non-durable, oslo's
 * defaults, and consumes them. A steady window follows, then the storm: the broker is stopped (SIGTERM: it closes every
 * connection), stays down for {@code --down}, and is started again on the same ports, with none of the non-durable
 * queues. Every host's client then reconnects and declares its queues again by itself, through the Java client's
 * automatic connection and topology recovery, which is what kombu's reconnect amounts to in oslo. The recovery is timed
 * from the broker's side ({@code rabbitmqctl list_queues name consumers} until every host's queue has its consumer)
 * and from the clients' (the last host's recovery callback).
 *
 * <p>What is simulated: every host's connection is in this one JVM, on the client's NIO mode with
 * {@code --nio-threads} I/O threads, one consumer dispatch pool and one heartbeat scheduler shared by all, so that
 * 13,000 connections do not need 13,000 reader threads; the reconnects, though, run as the client runs them, on a
 * thread of their own per connection, so every host retries on its own schedule. The reconnect schedule is oslo's
 * defaults: {@code kombu_reconnect_delay} 1 s, then {@code rabbit_retry_interval} 1 s growing by
 * {@code rabbit_retry_backoff} 2 s up to {@code rabbit_interval_max} 30 s, without jitter unless
 * {@code --recovery-jitter} adds some.
 *
 * <pre>
 * benchmarks/run-fleet --store rabbitmq --endpoints 1000 --steady 30s
 * java -cp benchmarks/target/benchmarks.jar io.hotline.benchmarks.RabbitFleet --endpoints 4000 --rounds 2
 * </pre>
 */
@Command(name = "run-fleet --store rabbitmq", sortOptions = false,
        description = "A fleet of N compute hosts, each consuming its own queue on its own AMQP connection, in steady"
                + " state and through a restart of the RabbitMQ broker. Progress goes to standard error, the report to"
                + " standard output.")
public final class RabbitFleet implements Callable<Integer> {

    @Option(names = "--endpoints", paramLabel = "N", defaultValue = "13000",
            description = "Compute hosts, one AMQP connection each (default: ${DEFAULT-VALUE}).")
    int endpoints;

    @Option(names = "--steady", paramLabel = "DURATION", defaultValue = "60s",
            converter = FleetBenchmark.Durations.class,
            description = "The measured steady-state window (default: ${DEFAULT-VALUE}).")
    Duration steady;

    @Option(names = "--down", paramLabel = "DURATION", defaultValue = "2s", converter = FleetBenchmark.Durations.class,
            description = "How long the broker stays stopped in the storm (default: ${DEFAULT-VALUE}).")
    Duration down;

    @Option(names = "--store", paramLabel = "NAME", defaultValue = "rabbitmq",
            description = "Only rabbitmq: accepted so that run-fleet's command line stays the same (default:"
                    + " ${DEFAULT-VALUE}).")
    String store;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "1",
            description = "Rounds, each on a fresh broker (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--conductors", paramLabel = "N", defaultValue = "4",
            description = "Conductors calling and casting to random hosts throughout, each on a connection of its"
                    + " own; 0 for none (default: ${DEFAULT-VALUE}).")
    int conductors;

    @Option(names = "--rpc-rate", paramLabel = "N", defaultValue = "20",
            description = "Requests per second per conductor, calls and casts alternately (default: ${DEFAULT-VALUE}).")
    int rpcRate;

    @Option(names = "--nio-threads", paramLabel = "N", defaultValue = "4",
            description = "The client's NIO threads, shared by every connection (default: ${DEFAULT-VALUE}).")
    int nioThreads;

    @Option(names = "--recovery-jitter", paramLabel = "FRACTION", defaultValue = "0",
            description = "Each reconnect delay is drawn from delay x (1 +- FRACTION); 0, oslo's way, retries in"
                    + " lockstep (default: ${DEFAULT-VALUE}).")
    double jitter;

    @Option(names = "--fanout", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Each host also consumes a compute_fanout queue, as oslo's RPC server does (default: on).")
    boolean fanout;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    private static final String EXCHANGE = "nova";
    private static final String TOPIC = "compute";
    private static final String FANOUT_EXCHANGE = "compute_fanout";
    private static final String JSON = "application/json";

    /** oslo's {@code kombu_reconnect_delay}: the wait before the first reconnect. */
    private static final Duration RECONNECT_DELAY = Duration.ofSeconds(1);
    /** oslo's {@code rabbit_retry_interval}: the wait after the first failed reconnect. */
    private static final Duration RETRY_INTERVAL = Duration.ofSeconds(1);
    /** oslo's {@code rabbit_retry_backoff}: what each further failed reconnect adds to the wait. */
    private static final Duration RETRY_BACKOFF = Duration.ofSeconds(2);
    /** oslo's {@code rabbit_interval_max}: the longest wait between reconnects. */
    private static final Duration RETRY_MAX = Duration.ofSeconds(30);
    /** The heartbeat the clients ask for: oslo's {@code heartbeat_timeout_threshold}, and the broker's default. */
    private static final Duration HEARTBEAT = Duration.ofSeconds(60);
    /** TCP connect and AMQP handshake, as a storm makes the broker slow to answer. */
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Each channel operation (declare, bind, consume). A storm at 4,000 hosts kept the broker over 10 s on some binds;
     * kombu waits for a method's reply without a limit, so this is long, and only a bound on a hung broker.
     */
    private static final Duration CHANNEL_RPC_TIMEOUT = Duration.ofSeconds(60);

    /** How long a conductor's call waits for its reply: short, as FleetBenchmark's, so failures show in the storm. */
    private static final Duration RPC_TIMEOUT = Duration.ofSeconds(2);
    /** How long one {@code rabbitmqctl} listing may take; thousands of queues take seconds on a busy broker. */
    private static final Duration CTL_TIMEOUT = Duration.ofSeconds(60);
    /**
     * How often the broker is asked for its consumers in the steady window: each ask costs it a full listing and a
     * CLI node's connection, which would otherwise be much of the steady CPU measured at small N.
     */
    private static final Duration STEADY_LIST_EVERY = Duration.ofSeconds(15);
    /** The least time between two listings in the storm: the resolution of the recovery time, at best. */
    private static final Duration STORM_LIST_EVERY = Duration.ofSeconds(1);
    /** The window the broker's peak CPU share in the storm is taken over; /proc counts 10 ms ticks. */
    private static final Duration CPU_WINDOW = Duration.ofSeconds(1);
    /** How long the fleet may take to recover after the restart before the round says it did not. */
    private static final Duration RECOVERY_LIMIT = Duration.ofMinutes(5);
    /** How long the hosts may take to connect and declare their queues at the start of a round. */
    private static final Duration RAMP_LIMIT = Duration.ofMinutes(10);
    /** Threads opening the hosts' connections at the start, and closing them at the end. */
    private static final int RAMP_THREADS = 16;
    /** Threads running every connection's consumers (replying to calls), shared as the NIO threads are. */
    private static final int DISPATCH_THREADS = 8;

    /**
     * The broker's settings beyond its defaults. A listen backlog of 4096 (the default 128, the kernel's somaxconn
     * here 4096), as RabbitMQ's networking guide advises where thousands of clients reconnect at once; the other
     * listen options restate the defaults, which a rabbitmq.conf that sets one of them would otherwise drop.
     */
    private static final List<String> BROKER_CONFIGURATION = List.of(
            "tcp_listen_options.backlog = 4096",
            "tcp_listen_options.nodelay = true",
            "tcp_listen_options.linger.on = true",
            "tcp_listen_options.linger.timeout = 0",
            "tcp_listen_options.exit_on_close = false");

    private final PrintStream progress = System.err;

    public static void main(String[] args) {
        // The client logs every failed reconnect and topology recovery; thousands per storm. The tallies count them.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
        }
        System.exit(new CommandLine(new RabbitFleet()).execute(args));
    }

    /** A call or a cast's outcome. */
    private enum Outcome { OK, FAILED, TIMED_OUT }

    /** The conductors' calls and casts in one phase, and the first few distinct failures, as evidence. */
    private static final class RpcTally {
        final LongAdder[] calls = {new LongAdder(), new LongAdder(), new LongAdder()};
        final LongAdder[] casts = {new LongAdder(), new LongAdder(), new LongAdder()};
        final Map<String, Long> failures = new ConcurrentHashMap<>();

        void count(LongAdder[] kind, Throwable e) {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            Outcome outcome = cause == null ? Outcome.OK
                    : cause instanceof TimeoutException ? Outcome.TIMED_OUT : Outcome.FAILED;
            kind[outcome.ordinal()].increment();
            if (outcome == Outcome.FAILED) {
                String what = cause.getClass().getSimpleName() + ": " + String.valueOf(cause.getMessage())
                        .replaceAll("[0-9]+", "#");
                // Numbers are blanked so that one kind of failure (hosts, ids) is one entry; a few are evidence enough.
                if (failures.size() < 5 || failures.containsKey(what)) {
                    failures.merge(what, 1L, Long::sum);
                }
            }
        }

        static String text(LongAdder[] kind) {
            return String.format(Locale.ROOT, "%d / %d / %d", kind[0].sum(), kind[1].sum(), kind[2].sum());
        }

        String text() {
            return text(calls) + " | " + text(casts);
        }
    }

    /** What the clients' recovery machinery did in one phase. */
    private static final class Recoveries {
        final long origin = System.nanoTime();
        /** Connections whose recovery (connection, channels, queues, bindings, consumers) completed, per second. */
        final AtomicLongArray perSecond = new AtomicLongArray(3600);
        final Set<Recoverable> recovered = ConcurrentHashMap.newKeySet();
        final LongAccumulator lastAt = new LongAccumulator(Math::max, Long.MIN_VALUE);
        final LongAdder failedAttempts = new LongAdder();
        final LongAdder topologyErrors = new LongAdder();
        final Map<String, Long> errors = new ConcurrentHashMap<>();

        void error(Throwable e) {
            String what = e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).replaceAll("[0-9]+", "#");
            if (errors.size() < 5 || errors.containsKey(what)) {
                errors.merge(what, 1L, Long::sum);
            }
        }
    }

    /** Counts each host's recovery, and its failed reconnects, into the phase's {@link Recoveries}, quietly. */
    private static final class RecoveryTally extends DefaultExceptionHandler implements RecoveryListener {
        private final AtomicReference<Recoveries> phase;

        RecoveryTally(AtomicReference<Recoveries> phase) {
            this.phase = phase;
        }

        @Override
        public void handleRecovery(Recoverable connection) {
            Recoveries r = phase.get();
            long now = System.nanoTime();
            r.recovered.add(connection);
            r.lastAt.accumulate(now);
            int second = (int) ((now - r.origin) / 1_000_000_000L);
            if (second >= 0 && second < r.perSecond.length()) {
                r.perSecond.incrementAndGet(second);
            }
        }

        @Override
        public void handleRecoveryStarted(Recoverable connection) {
            // RecoveryListener asks for both; a recovery is counted when it completes
        }

        @Override
        public void handleConnectionRecoveryException(Connection conn, Throwable e) {
            // Called after each failed reconnect (refused while the broker is down), before the next wait.
            phase.get().failedAttempts.increment();
        }

        @Override
        public void handleTopologyRecoveryException(Connection conn, Channel ch, TopologyRecoveryException e) {
            Recoveries r = phase.get();
            r.topologyErrors.increment();
            r.error(e.getCause() != null ? e.getCause() : e);
        }

        @Override
        public void handleChannelRecoveryException(Channel ch, Throwable e) {
            Recoveries r = phase.get();
            r.topologyErrors.increment();
            r.error(e);
        }
    }

    /**
     * oslo's reconnect schedule: {@code kombu_reconnect_delay} before the first attempt, then {@code interval_start}
     * 1 s growing by 2 s per failed attempt up to 30 s, kombu's {@code ensure_connection} with oslo's defaults; each
     * delay drawn from delay x (1 +- jitter).
     */
    private record OsloBackoff(double jitter) implements RecoveryDelayHandler {
        @Override
        public long getDelay(int failedAttempts) {
            long millis = failedAttempts == 0 ? RECONNECT_DELAY.toMillis()
                    : Math.min(RETRY_INTERVAL.toMillis() + RETRY_BACKOFF.toMillis() * (failedAttempts - 1),
                            RETRY_MAX.toMillis());
            return jitter == 0 ? millis
                    : Math.round(millis * (1 + jitter * (2 * ThreadLocalRandom.current().nextDouble() - 1)));
        }
    }

    /** A compute host's RPC server: replies to a call, as oslo does, to its reply_to with its correlation id. */
    private static final class ComputeHost extends DefaultConsumer {
        private final byte[] result;

        ComputeHost(Channel channel, String host) {
            super(channel);
            this.result = ("{\"host\":\"" + host + "\"}").getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body)
                throws IOException {
            if (props.getReplyTo() != null) {
                AMQP.BasicProperties reply = new AMQP.BasicProperties.Builder().contentType(JSON).deliveryMode(1)
                        .correlationId(props.getCorrelationId()).build();
                // Deliveries of one channel run one at a time, so publishing on it here needs no lock.
                getChannel().basicPublish("", props.getReplyTo(), reply, result);
            }
            getChannel().basicAck(envelope.getDeliveryTag(), false);
        }
    }

    /** Connects host {@code i} and declares and consumes its queues, as oslo's RPC server for topic compute does. */
    private Connection host(ConnectionFactory factory, RecoveryTally tally, int i) {
        String host = host(i);
        Connection c = null;
        try {
            c = factory.newConnection("nova-compute:" + host);
            ((Recoverable) c).addRecoveryListener(tally);
            Channel ch = c.createChannel();
            ch.exchangeDeclare(EXCHANGE, BuiltinExchangeType.TOPIC, false);
            String queue = TOPIC + "." + host;
            ch.queueDeclare(queue, false, false, false, null);
            ch.queueBind(queue, EXCHANGE, queue);
            ch.basicConsume(queue, false, new ComputeHost(ch, host));
            if (fanout) {
                ch.exchangeDeclare(FANOUT_EXCHANGE, BuiltinExchangeType.FANOUT, false, true, null);
                String fanoutQueue = FANOUT_EXCHANGE + "_" + UUID.randomUUID().toString().replace("-", "");
                ch.queueDeclare(fanoutQueue, false, false, true, null);
                ch.queueBind(fanoutQueue, FANOUT_EXCHANGE, "");
                ch.basicConsume(fanoutQueue, true, new DefaultConsumer(ch));
            }
            return c;
        } catch (IOException | TimeoutException | RuntimeException e) {
            if (c != null) {
                c.abort((int) CLIENT_TIMEOUT.toMillis());
            }
            throw new IllegalStateException("host " + i + " cannot connect and consume: " + e, e);
        }
    }

    private static String host(int i) {
        return String.format(Locale.ROOT, "host-%05d", i);
    }

    /**
     * A nova-conductor's RPC client: calls ({@code reply_to} its own {@code reply_<uuid>} queue, as oslo names it, and
     * a correlation id) and casts (on a channel in confirm mode) to {@code compute.<host>}, both mandatory, so that a
     * message to a queue that is not there (yet) comes back as a failure, as oslo's MessageUndeliverable, instead of
     * vanishing.
     */
    private final class Conductor implements AutoCloseable {
        private final Connection connection;
        private final Channel calls;
        private final Channel casts;
        private final String replyQueue = "reply_" + UUID.randomUUID().toString().replace("-", "");
        private final Map<String, CompletableFuture<Void>> pendingCalls = new ConcurrentHashMap<>();
        private final Map<String, CompletableFuture<Void>> castsById = new ConcurrentHashMap<>();
        private final ConcurrentSkipListMap<Long, CompletableFuture<Void>> castsBySeq = new ConcurrentSkipListMap<>();
        private final AtomicLong ids = new AtomicLong();

        Conductor(ConnectionFactory factory, RecoveryTally tally, int index) throws IOException, TimeoutException {
            connection = factory.newConnection("nova-conductor-" + index);
            try {
                ((Recoverable) connection).addRecoveryListener(tally);
                calls = connection.createChannel();
                calls.exchangeDeclare(EXCHANGE, BuiltinExchangeType.TOPIC, false);
                calls.queueDeclare(replyQueue, false, false, false, null);
                calls.basicConsume(replyQueue, true, new DefaultConsumer(calls) {
                    @Override
                    public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props,
                            byte[] body) {
                        CompletableFuture<Void> reply = pendingCalls.remove(props.getCorrelationId());
                        if (reply != null) {
                            reply.complete(null);
                        }
                    }
                });
                calls.addReturnListener(r -> fail(pendingCalls.remove(r.getProperties().getCorrelationId()),
                        "call to " + r.getRoutingKey() + " returned: " + r.getReplyText()));
                casts = connection.createChannel();
                casts.confirmSelect();
                casts.addReturnListener(r -> fail(castsById.remove(r.getProperties().getMessageId()),
                        "cast to " + r.getRoutingKey() + " returned: " + r.getReplyText()));
                casts.addConfirmListener(new ConfirmListener() {
                    @Override
                    public void handleAck(long seq, boolean multiple) {
                        // A returned cast is acked too, after its return: it is already failed, and stays so.
                        settled(seq, multiple).forEach(f -> f.complete(null));
                    }

                    @Override
                    public void handleNack(long seq, boolean multiple) {
                        settled(seq, multiple).forEach(f -> fail(f, "the broker refused cast " + seq));
                    }
                });
                // Sequence numbers start again at 1 on the recovered channel: the unconfirmed casts of the lost one
                // are failed here, so that the new channel's acks cannot settle them.
                casts.addShutdownListener(cause -> {
                    List<CompletableFuture<Void>> lost = settled(Long.MAX_VALUE, true);
                    lost.forEach(f -> fail(f, "connection lost before the broker confirmed the cast"));
                });
            } catch (IOException | RuntimeException e) {
                connection.abort((int) CLIENT_TIMEOUT.toMillis());
                throw e;
            }
        }

        private List<CompletableFuture<Void>> settled(long seq, boolean multiple) {
            Map<Long, CompletableFuture<Void>> done = multiple ? castsBySeq.headMap(seq, true)
                    : castsBySeq.subMap(seq, true, seq, true);
            List<CompletableFuture<Void>> futures = new ArrayList<>(done.values());
            done.clear();
            return futures;
        }

        private static void fail(CompletableFuture<Void> f, String why) {
            if (f != null) {
                f.completeExceptionally(new IllegalStateException(why));
            }
        }

        void call(String host, RpcTally tally) {
            String id = Long.toString(ids.incrementAndGet());
            CompletableFuture<Void> reply = new CompletableFuture<>();
            pendingCalls.put(id, reply);
            reply.orTimeout(RPC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).whenComplete((r, e) -> {
                pendingCalls.remove(id);
                tally.count(tally.calls, e);
            });
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType(JSON).deliveryMode(1)
                    .replyTo(replyQueue).correlationId(id).build();
            try {
                synchronized (calls) {
                    calls.basicPublish(EXCHANGE, TOPIC + "." + host, true, props, request(host));
                }
            } catch (IOException | RuntimeException e) {
                reply.completeExceptionally(e);
            }
        }

        void cast(String host, RpcTally tally) {
            String id = Long.toString(ids.incrementAndGet());
            CompletableFuture<Void> confirmed = new CompletableFuture<>();
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType(JSON).deliveryMode(1)
                    .messageId(id).build();
            try {
                synchronized (casts) {
                    long seq = casts.getNextPublishSeqNo();
                    castsBySeq.put(seq, confirmed);
                    castsById.put(id, confirmed);
                    confirmed.orTimeout(RPC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).whenComplete((r, e) -> {
                        castsBySeq.remove(seq, confirmed);
                        castsById.remove(id);
                        tally.count(tally.casts, e);
                    });
                    casts.basicPublish(EXCHANGE, TOPIC + "." + host, true, props, request(host));
                }
            } catch (IOException | RuntimeException e) {
                confirmed.completeExceptionally(e);
            }
        }

        private static byte[] request(String host) {
            return ("{\"method\":\"get\",\"args\":{\"host\":\"" + host + "\"}}").getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            connection.abort((int) CLIENT_TIMEOUT.toMillis());
        }
    }

    /** The broker's CPU share over {@link #CPU_WINDOW}s, sampled on a thread of its own, and the highest seen. */
    private static final class PeakCpu {
        private final long pid;
        private double cpuBefore;
        private long sampleAt;
        private double peak;

        PeakCpu(long pid) throws IOException {
            this.pid = pid;
            this.cpuBefore = ProcessUsage.cpuSeconds(List.of(pid));
            this.sampleAt = System.nanoTime();
        }

        synchronized void sample() {
            try {
                double cpuNow = ProcessUsage.cpuSeconds(List.of(pid));
                long now = System.nanoTime();
                peak = Math.max(peak, (cpuNow - cpuBefore) / ((now - sampleAt) / 1e9));
                cpuBefore = cpuNow;
                sampleAt = now;
            } catch (IOException e) {
                // /proc unreadable for a moment: this window is skipped, the next covers it
            }
        }

        synchronized double peak() {
            return peak;
        }
    }

    private record Steady(int round, long leastConsuming, int listings, double brokerCpuS, double seconds,
            long brokerRssKib, long brokerPeakRssKib, double harnessCpuS, long recoveries, RpcTally rpc) {}

    private record Storm(int round, Duration stop, Duration startToReady, Duration afterReady, Duration afterStop,
            boolean recovered, long lastConsuming, int listings, Duration lastShort, Duration clientsAfterReady, long hostsRecovered,
            long failedAttempts, long topologyErrors, long peakPerSecond, double startCpuS, double brokerCpuS,
            double peakCpuShare,
            long brokerPeakRssKib, double harnessCpuS, int harnessPeakThreads, Map<String, Long> recoveryErrors,
            RpcTally rpc) {}

    /** What the broker cost to start, at the first start, with no client knocking: beside the restart's. */
    private record Boot(Duration took, double cpuS) {}

    @Override
    public Integer call() throws Exception {
        if (endpoints < 1 || rounds < 1 || conductors < 0 || rpcRate < 1 || nioThreads < 1 || jitter < 0
                || jitter >= 1 || steady.isNegative() || down.isNegative()) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--endpoints, --rounds, --rpc-rate and"
                    + " --nio-threads must be 1 or more, --conductors 0 or more, --recovery-jitter in [0, 1), the"
                    + " durations positive");
        }
        if (!store.equals("rabbitmq")) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--store " + store + ": this is the"
                    + " rabbitmq fleet; FleetBenchmark runs redis and consul");
        }
        String startedAt = OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        double loadBefore = Machine.loadAverage();
        List<Steady> steadies = new ArrayList<>();
        List<Storm> storms = new ArrayList<>();
        List<Boot> boots = new ArrayList<>();
        String[] version = {"?"};
        for (int round = 1; round <= rounds; round++) {
            round(round, steadies, storms, boots, version);
        }
        print(System.out, startedAt, loadBefore, version[0], steadies, storms, boots);
        return 0;
    }

    private void round(int round, List<Steady> steadies, List<Storm> storms, List<Boot> boots, String[] version)
            throws Exception {
        AtomicReference<Recoveries> recoveries = new AtomicReference<>(new Recoveries());
        AtomicReference<RpcTally> rpc = new AtomicReference<>(new RpcTally());
        RecoveryTally tally = new RecoveryTally(recoveries);
        ExecutorService dispatch = Executors.newFixedThreadPool(DISPATCH_THREADS, daemon("fleet-dispatch"));
        ScheduledExecutorService heartbeats = Executors.newScheduledThreadPool(2, daemon("fleet-heartbeat"));
        ScheduledExecutorService driver = Executors.newScheduledThreadPool(Math.max(1, conductors),
                daemon("fleet-conductor"));
        Connection[] hosts = new Connection[endpoints];
        List<Conductor> conductorList = new ArrayList<>();
        progress.printf(Locale.ROOT, "round %d: starting the broker...%n", round);
        long bootAt = System.nanoTime();
        try (RabbitBroker broker = RabbitBroker.start(BROKER_CONFIGURATION)) {
            boots.add(new Boot(Duration.ofNanos(System.nanoTime() - bootAt),
                    ProcessUsage.cpuSeconds(List.of(broker.pid()))));
            try {
                ConnectionFactory factory = factory(broker, dispatch, heartbeats, tally);
                progress.printf(Locale.ROOT, "round %d: connecting %,d hosts, each consuming its queue%s...%n", round,
                        endpoints, fanout ? " and a fanout queue" : "");
                long rampAt = System.nanoTime();
                StoreWorkload.inParallel(RAMP_THREADS, endpoints, i -> hosts[i] = host(factory, tally, i), RAMP_LIMIT);
                version[0] = String.valueOf(hosts[0].getServerProperties().get("version"));
                progress.printf(Locale.ROOT, "  connected in %.1f s%n", (System.nanoTime() - rampAt) / 1e9);
                for (int c = 0; c < conductors; c++) {
                    conductorList.add(new Conductor(factory, tally, c));
                }
                conduct(conductorList, driver, rpc);
                long count = awaitAllConsuming(broker, Duration.ofMinutes(2));
                if (count != endpoints) {
                    throw new IllegalStateException("only " + count + " of " + endpoints + " hosts' queues have a"
                            + " consumer two minutes after they connected");
                }

                progress.printf(Locale.ROOT, "round %d: steady state for %s...%n", round, FleetBenchmark.text(steady));
                Steady st = steady(round, broker, recoveries, rpc);
                steadies.add(st);
                progress.printf(Locale.ROOT, "  least consuming %d, broker %.1f %% of a core, RSS %.0f MiB;"
                        + " calls | casts ok/failed/timed out %s%n", st.leastConsuming(),
                        100 * st.brokerCpuS() / st.seconds(), st.brokerRssKib() / 1024.0, st.rpc().text());

                progress.printf(Locale.ROOT, "round %d: restart storm (broker down %s)...%n", round,
                        FleetBenchmark.text(down));
                Storm sm = storm(round, broker, recoveries, rpc);
                storms.add(sm);
                progress.printf(Locale.ROOT, "  %s consuming %.1f s after the broker was ready again (clients: %.1f s);"
                        + " %d failed reconnects; calls | casts ok/failed/timed out %s%n",
                        sm.recovered() ? "all" : "NOT all (" + sm.lastConsuming() + ")", seconds(sm.afterReady()),
                        seconds(sm.clientsAfterReady()), sm.failedAttempts(), sm.rpc().text());
            } finally {
                driver.shutdownNow();
                // The broker first: a broker still struggling with a storm would keep each abort below waiting for its
                // close-ok; with the broker gone, an abort finds its connection closed and only ends its recovery.
                broker.stop();
                conductorList.forEach(Conductor::close);
                StoreWorkload.inParallel(RAMP_THREADS, endpoints, i -> {
                    if (hosts[i] != null) {
                        hosts[i].abort((int) CLIENT_TIMEOUT.toMillis());
                    }
                }, RAMP_LIMIT);
            }
        } finally {
            dispatch.shutdownNow();
            heartbeats.shutdownNow();
        }
    }

    private ConnectionFactory factory(RabbitBroker broker, ExecutorService dispatch,
            ScheduledExecutorService heartbeats, RecoveryTally tally) {
        ConnectionFactory f = broker.connectionFactory(CLIENT_TIMEOUT);
        // One selector thread per nioThreads connections' worth of sockets instead of a reader thread per connection.
        f.useNio();
        f.setNioParams(new NioParams().setNbIoThreads(nioThreads));
        // Without these, each connection would start a consumer pool and a heartbeat thread of its own.
        f.setSharedExecutor(dispatch);
        f.setHeartbeatExecutor(heartbeats);
        f.setRequestedHeartbeat((int) HEARTBEAT.toSeconds());
        // What oslo's reconnect amounts to: a new connection, and every exchange, queue, binding and consumer
        // declared through it declared again, on oslo's schedule.
        f.setAutomaticRecoveryEnabled(true);
        f.setTopologyRecoveryEnabled(true);
        f.setRecoveryDelayHandler(new OsloBackoff(jitter));
        f.setChannelRpcTimeout((int) CHANNEL_RPC_TIMEOUT.toMillis());
        // After a channel operation timed out, its late reply would otherwise be taken as the next one's (a BindOk
        // for the ConsumeOk: ClassCastException in the client, seen at 4,000 hosts with a 10 s timeout) and the
        // consumer silently not recovered; with the check, a reply of the wrong type is dropped.
        f.setChannelShouldCheckRpcResponseType(true);
        f.setExceptionHandler(tally);
        return f;
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Every conductor sends a call or a cast, alternately, to a random host, {@code --rpc-rate} times a second. */
    private void conduct(List<Conductor> list, ScheduledExecutorService driver, AtomicReference<RpcTally> rpc) {
        long period = 1_000_000_000L / rpcRate;
        for (int c = 0; c < list.size(); c++) {
            Conductor conductor = list.get(c);
            long[] sent = {0};
            driver.scheduleAtFixedRate(() -> {
                String host = host(ThreadLocalRandom.current().nextInt(endpoints));
                if (sent[0]++ % 2 == 0) {
                    conductor.call(host, rpc.get());
                } else {
                    conductor.cast(host, rpc.get());
                }
            }, period * c / list.size(), period, TimeUnit.NANOSECONDS);
        }
    }

    private Steady steady(int round, RabbitBroker broker, AtomicReference<Recoveries> recoveries,
            AtomicReference<RpcTally> rpc) throws Exception {
        long pid = broker.pid();
        Recoveries rec = new Recoveries();
        recoveries.set(rec);
        RpcTally r = new RpcTally();
        rpc.set(r);
        double cpu = ProcessUsage.cpuSeconds(List.of(pid));
        double harness = ProcessUsage.harnessCpuSeconds();
        long start = System.nanoTime();
        long end = start + steady.toNanos();
        long least = Long.MAX_VALUE;
        int listings = 0;
        for (long next = start; next < end; next += STEADY_LIST_EVERY.toNanos()) {
            LockSupport.parkNanos(next - System.nanoTime());
            least = Math.min(least, consuming(broker));
            listings++;
        }
        LockSupport.parkNanos(end - System.nanoTime());
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Steady(round, least, listings, ProcessUsage.cpuSeconds(List.of(pid)) - cpu, seconds,
                ProcessUsage.rssKib(List.of(pid)), ProcessUsage.peakRssKib(List.of(pid)),
                ProcessUsage.harnessCpuSeconds() - harness, rec.recovered.size(), r);
    }

    private Storm storm(int round, RabbitBroker broker, AtomicReference<Recoveries> recoveries,
            AtomicReference<RpcTally> rpc) throws Exception {
        RpcTally r = new RpcTally();
        rpc.set(r);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        threads.resetPeakThreadCount();
        double harness = ProcessUsage.harnessCpuSeconds();
        long stopAt = System.nanoTime();
        Recoveries rec = new Recoveries();
        recoveries.set(rec);
        broker.stop();
        long stoppedAt = System.nanoTime();
        LockSupport.parkNanos(down.toNanos());
        long launchAt = System.nanoTime();
        broker.startAgain();
        long readyAt = System.nanoTime();
        long pid = broker.pid();
        double cpuAtReady = ProcessUsage.cpuSeconds(List.of(pid));
        PeakCpu cpu = new PeakCpu(pid);
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(daemon("broker-cpu"));
        long count = -1;
        long recoveredAt = -1;
        // When the last listing that fell short of N began: the recovery lies between it and the one that did not.
        long lastShortAt = readyAt;
        int listings = 0;
        try {
            sampler.scheduleAtFixedRate(cpu::sample, CPU_WINDOW.toNanos(), CPU_WINDOW.toNanos(), TimeUnit.NANOSECONDS);
            long limit = readyAt + RECOVERY_LIMIT.toNanos();
            for (long next = System.nanoTime(); next < limit; next = Math.max(next + STORM_LIST_EVERY.toNanos(),
                    System.nanoTime())) {
                LockSupport.parkNanos(next - System.nanoTime());
                long listedAt = System.nanoTime();
                count = consuming(broker);
                listings++;
                // The recovery's course, for the reader of the progress: how many consume, when.
                progress.printf(Locale.ROOT, "  %.1f s after ready: %,d consuming%n", (listedAt - readyAt) / 1e9,
                        count);
                if (count == endpoints) {
                    recoveredAt = System.nanoTime();
                    break;
                }
                lastShortAt = listedAt;
            }
        } finally {
            sampler.shutdownNow();
        }
        long end = recoveredAt > 0 ? recoveredAt : System.nanoTime();
        if (recoveredAt < 0) {
            progress.printf(Locale.ROOT, "  not recovered: the broker has %s connections%n", connections(broker));
        }
        // Requests sent from now on are no longer the storm's.
        rpc.set(new RpcTally());
        cpu.sample();
        long peak = 0;
        for (int s = 0; s < rec.perSecond.length(); s++) {
            peak = Math.max(peak, rec.perSecond.get(s));
        }
        long hostsRecovered = rec.recovered.size();
        long last = rec.lastAt.get();
        return new Storm(round, Duration.ofNanos(stoppedAt - stopAt), Duration.ofNanos(readyAt - launchAt),
                Duration.ofNanos(end - readyAt), Duration.ofNanos(end - stopAt), recoveredAt > 0, count, listings,
                Duration.ofNanos(lastShortAt - readyAt),
                last == Long.MIN_VALUE ? Duration.ZERO : Duration.ofNanos(last - readyAt), hostsRecovered,
                rec.failedAttempts.sum(), rec.topologyErrors.sum(), peak, cpuAtReady,
                ProcessUsage.cpuSeconds(List.of(pid)) - cpuAtReady, cpu.peak(), ProcessUsage.peakRssKib(List.of(pid)), ProcessUsage.harnessCpuSeconds() - harness,
                // A copy: recoveries still under way when the clients are closed fail too, and are not the storm's.
                threads.getPeakThreadCount(), Map.copyOf(rec.errors), r);
    }

    /**
     * Hosts whose {@code compute.<host>} queue has a consumer, as the broker lists them; -1 when the listing fails
     * (the broker is away or too busy to answer within {@link #CTL_TIMEOUT}).
     */
    private static long consuming(RabbitBroker broker) {
        try {
            return broker.ctl(CTL_TIMEOUT, "list_queues", "--quiet", "--no-table-headers", "name", "consumers")
                    .stream()
                    .map(line -> line.split("\t"))
                    .filter(f -> f.length == 2 && f[0].startsWith(TOPIC + ".") && !f[1].equals("0"))
                    .count();
        } catch (IOException | IllegalStateException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The broker's connections by state, e.g. {@code {running=4004}}, for a storm that did not recover. */
    private static String connections(RabbitBroker broker) {
        try {
            return broker.ctl(CTL_TIMEOUT, "list_connections", "--quiet", "--no-table-headers", "state").stream()
                    .collect(Collectors.groupingBy(String::strip,
                            Collectors.counting())).toString();
        } catch (IOException | IllegalStateException e) {
            return "? (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    private long awaitAllConsuming(RabbitBroker broker, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        long count = consuming(broker);
        while (count != endpoints && System.nanoTime() < deadline) {
            LockSupport.parkNanos(STORM_LIST_EVERY.toNanos());
            count = consuming(broker);
        }
        return count;
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    private void print(PrintStream out, String startedAt, double loadBefore, String version, List<Steady> steadies,
            List<Storm> storms, List<Boot> boots) {
        out.printf(Locale.ROOT, "# A fleet of %,d hosts on RabbitMQ %s, each on its own AMQP connection%n%n", endpoints,
                version);
        out.printf(Locale.ROOT, "- command: `benchmarks/run-fleet --store rabbitmq --endpoints %d --steady %s --down %s"
                + " --rounds %d --conductors %d --rpc-rate %d --nio-threads %d --recovery-jitter %s%s`%n", endpoints,
                FleetBenchmark.text(steady), FleetBenchmark.text(down), rounds, conductors, rpcRate, nioThreads,
                jitter, fanout ? "" : " --no-fanout");
        out.printf(Locale.ROOT, "- started %s on %s; load average (1 min) %.2f at the start, %.2f at the end: anything"
                + " above 0 at the start is load this run did not make%n", startedAt, Machine.description(), loadBefore,
                Machine.loadAverage());
        out.printf(Locale.ROOT, "- simulated: %,d nova-compute hosts, each with its own AMQP connection and channel,"
                + " consuming its non-durable queue compute.<host> bound to the topic exchange %s%s, all in this JVM"
                + " on amqp-client's NIO mode (%d I/O threads, %d consumer dispatch threads and 2 heartbeat threads"
                + " shared by every connection; heartbeat %s); reconnects by the client's automatic connection and"
                + " topology recovery, each connection on a thread of its own, waiting %s before the first attempt,"
                + " then %s growing by %s per failed attempt up to %s (oslo's kombu_reconnect_delay,"
                + " rabbit_retry_interval, rabbit_retry_backoff, rabbit_interval_max defaults), %s; the broker on"
                + " loopback on the same machine, with `%s`%n", endpoints, EXCHANGE, fanout
                        ? " and an auto-deleted compute_fanout_<uuid> queue on the fanout exchange " + FANOUT_EXCHANGE
                        : "", nioThreads, DISPATCH_THREADS, FleetBenchmark.text(HEARTBEAT),
                FleetBenchmark.text(RECONNECT_DELAY), FleetBenchmark.text(RETRY_INTERVAL),
                FleetBenchmark.text(RETRY_BACKOFF), FleetBenchmark.text(RETRY_MAX), jitter == 0
                        ? "no jitter (oslo adds none): clients whose connections dropped together retry in lockstep"
                        : String.format(Locale.ROOT, "each wait drawn from wait x (1 +- %s)", jitter),
                String.join("; ", BROKER_CONFIGURATION.subList(0, 1)));
        for (Boot b : boots) {
            out.printf(Locale.ROOT, "- the broker's first start took %.1f s and %.2f CPU s, with no client"
                    + " connecting%n", seconds(b.took()), b.cpuS());
        }
        out.println();
        out.printf(Locale.ROOT, "## Steady state (%s window; rabbitmqctl list_queues every %s)%n%n",
                FleetBenchmark.text(steady), FleetBenchmark.text(STEADY_LIST_EVERY));
        out.println("| round | N | least consuming | all consuming | connections recovered | broker CPU s"
                + " | broker CPU % of a core | broker RSS MiB | broker peak RSS MiB | harness CPU s"
                + " | calls ok / failed / timed out | casts ok / failed / timed out |");
        out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (Steady s : steadies) {
            out.printf(Locale.ROOT, "| %d | %d | %d | %s | %d | %.2f | %.1f | %.0f | %.0f | %.1f | %s |%n", s.round(),
                    endpoints, s.leastConsuming(), s.leastConsuming() == endpoints ? "yes" : "NO", s.recoveries(),
                    s.brokerCpuS(), 100 * s.brokerCpuS() / s.seconds(), s.brokerRssKib() / 1024.0,
                    s.brokerPeakRssKib() / 1024.0, s.harnessCpuS(), s.rpc().text());
        }
        out.println();
        out.printf(Locale.ROOT, "## Restart storm (broker stopped with SIGTERM, %s down, started again on the same"
                + " ports without the non-durable queues; rabbitmqctl list_queues at most every %s)%n%n",
                FleetBenchmark.text(down), FleetBenchmark.text(STORM_LIST_EVERY));
        out.println("| round | N | broker stop s | broker start to ready s | all consuming again after ready s"
                + " (broker's listing) | after stop s | listings | last listing short of N began after ready s"
                + " | last client recovered after ready s"
                + " | connections recovered (hosts + conductors) | failed reconnects | topology recovery errors"
                + " | peak recoveries in 1 s | broker CPU s, start to ready | broker CPU s, ready to recovery"
                + " | broker peak CPU % of a core after ready"
                + " (1 s windows) | broker peak RSS MiB | harness CPU s | harness peak threads"
                + " | calls ok / failed / timed out, stop to recovery | casts ok / failed / timed out |");
        out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (Storm s : storms) {
            out.printf(Locale.ROOT, "| %d | %d | %.1f | %.1f | %s | %.1f | %d | %.1f | %.1f | %d | %d | %d | %d | %.2f"
                    + " | %.2f | %.0f | %.0f | %.1f | %d | %s |%n", s.round(), endpoints, seconds(s.stop()),
                    seconds(s.startToReady()), s.recovered()
                            ? String.format(Locale.ROOT, "%.1f", seconds(s.afterReady()))
                            : String.format(Locale.ROOT, "NOT within %.0f (%d consuming)", seconds(s.afterReady()),
                                    s.lastConsuming()),
                    seconds(s.afterStop()), s.listings(), seconds(s.lastShort()), seconds(s.clientsAfterReady()),
                    s.hostsRecovered(),
                    s.failedAttempts(), s.topologyErrors(), s.peakPerSecond(), s.startCpuS(), s.brokerCpuS(),
                    100 * s.peakCpuShare(),
                    s.brokerPeakRssKib() / 1024.0, s.harnessCpuS(), s.harnessPeakThreads(), s.rpc().text());
        }
        if (conductors > 0) {
            out.println();
            out.printf(Locale.ROOT, "Conductors: %d, each on a connection of its own (recovering as the hosts' do),"
                    + " sending %d requests a second, calls and casts alternately, to compute.<random host>, mandatory;"
                    + " calls wait %s for the reply on the conductor's reply_<uuid> queue, casts %s for the broker's"
                    + " confirm. Failed: the publish threw (connection down), the message came back unroutable (no"
                    + " queue yet) or the connection dropped before the confirm.%n", conductors, rpcRate,
                    FleetBenchmark.text(RPC_TIMEOUT), FleetBenchmark.text(RPC_TIMEOUT));
            for (Steady s : steadies) {
                failures(out, "steady, round " + s.round(), s.rpc().failures);
            }
            for (Storm s : storms) {
                failures(out, "storm, round " + s.round(), s.rpc().failures);
            }
        }
        for (Storm s : storms) {
            failures(out, "storm, round " + s.round() + ", recovery error", s.recoveryErrors());
        }
    }

    private static void failures(PrintStream out, String phase, Map<String, Long> failures) {
        failures.forEach((what, count) -> out.printf(Locale.ROOT, "- %s: %d x %s%n", phase, count, what));
    }
}

package io.hotline.benchmarks;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The rounds' measurements, and the tables printed from them: the medians side by side, their spread, the goals
 * with PASS or MISS, and any failed requests. Tables are Markdown, readable in a terminal and pasteable into docs.
 */
final class Report {

    private final String hotline;
    private final String rabbit;
    private final String grpc;
    private final String jetty;
    private final String grpcPooled;
    private final String hotlineH2c;
    private final String jettyH2c;
    private final String hotlineDirect;
    private final String hotlineH2cDirect;
    private final String jettyBlocking;
    private final String jettyBlockingOslo;
    private final String jettyH2cBlocking;
    private final String jettyH2cHandOff;
    private final int inFlight;
    private final Map<String, Map<Phase, List<Measurement>>> results = new LinkedHashMap<>();

    /**
     * The contenders that run, by role, named as {@link #add} takes them; rows are printed in {@link Role}'s order. The
     * goals are issue 19's: calls against bare Jetty (the HTTP floor), RabbitMQ and gRPC with its default executors
     * (like-for-like with endpoints that may block); Hotline over h2c against bare Jetty over h2c; {@code
     * @NonBlocking} endpoints, over HTTP/1.1 and over h2c, against gRPC's {@code directExecutor}, beside the bare
     * exchange of each protocol; casts against RabbitMQ, beside the floor an HTTP cast cannot pass; the floor of
     * methods that may block (bare Jetty with a blocking handler, over HTTP/1.1 and h2c, and over HTTP/1.1 also doing
     * the oslo envelope) against the non-blocking exchange the call goals are set against, and that of casts that may
     * block over h2c (bare Jetty answering 202 and handing the work to a pool thread) against RabbitMQ. A goal whose
     * contenders did not both run is not printed.
     */
    Report(Map<Role, String> names, int inFlight) {
        this.hotline = names.get(Role.HOTLINE);
        this.rabbit = names.get(Role.RABBITMQ);
        this.grpc = names.get(Role.GRPC);
        this.jetty = names.get(Role.JETTY);
        this.grpcPooled = names.get(Role.GRPC_POOLED);
        this.hotlineH2c = names.get(Role.HOTLINE_H2C);
        this.jettyH2c = names.get(Role.JETTY_H2C);
        this.hotlineDirect = names.get(Role.HOTLINE_NONBLOCKING);
        this.hotlineH2cDirect = names.get(Role.HOTLINE_H2C_NONBLOCKING);
        this.jettyBlocking = names.get(Role.JETTY_BLOCKING);
        this.jettyBlockingOslo = names.get(Role.JETTY_BLOCKING_OSLO);
        this.jettyH2cBlocking = names.get(Role.JETTY_H2C_BLOCKING);
        this.jettyH2cHandOff = names.get(Role.JETTY_H2C_HANDOFF);
        this.inFlight = inFlight;
        for (Role role : Role.values()) {
            if (names.containsKey(role)) {
                results.put(names.get(role), new EnumMap<>(Phase.class));
            }
        }
    }

    void add(String contender, Phase phase, Measurement m) {
        Map<Phase, List<Measurement>> phases = results.get(contender);
        if (phases == null) {
            throw new IllegalArgumentException("no contender named " + contender + " in this report");
        }
        phases.computeIfAbsent(phase, p -> new ArrayList<>()).add(m);
    }

    void print(PrintStream out) {
        out.println();
        out.println("## Medians of the rounds");
        out.println();
        table(out, this::median);
        out.println();
        out.println("## Spread: lowest-highest of the rounds");
        out.println();
        table(out, this::spread);
        out.println();
        out.println("## CPU µs per message by process: client (with the load driver) / server / broker, each part's own"
                + " median");
        out.println();
        cpuTable(out);
        out.println();
        out.println("## Goals (Hotline against each, medians)");
        out.println();
        goals(out);
        out.println();
        failures(out);
    }

    private void table(PrintStream out, Cell cell) {
        out.printf("| contender | call p50 µs, 1 in flight | call p99 µs, 1 in flight | CPU µs/call, 1 in flight"
                + " | calls/s, %d in flight | CPU µs/call | casts/s, %d in flight | CPU µs/cast |%n", inFlight,
                inFlight);
        out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        ToDoubleFunction<Measurement> cpu = Measurement::cpuMicrosPerMessage;
        for (String name : results.keySet()) {
            out.printf("| %s | %s | %s | %s | %s | %s | %s | %s |%n", name,
                    cell.format(name, Phase.CALL_LATENCY, Measurement::p50Micros),
                    cell.format(name, Phase.CALL_LATENCY, Measurement::p99Micros),
                    cell.format(name, Phase.CALL_LATENCY, cpu),
                    cell.format(name, Phase.CALL_THROUGHPUT, Measurement::rate),
                    cell.format(name, Phase.CALL_THROUGHPUT, cpu),
                    cell.format(name, Phase.CAST_THROUGHPUT, Measurement::rate),
                    cell.format(name, Phase.CAST_THROUGHPUT, cpu));
        }
    }

    private void cpuTable(PrintStream out) {
        out.printf("| contender | per call, 1 in flight | per call, %d in flight | per cast, %d in flight |%n",
                inFlight, inFlight);
        out.println("|---|---:|---:|---:|");
        for (String name : results.keySet()) {
            out.printf("| %s | %s | %s | %s |%n", name, parts(name, Phase.CALL_LATENCY),
                    parts(name, Phase.CALL_THROUGHPUT), parts(name, Phase.CAST_THROUGHPUT));
        }
    }

    private String parts(String name, Phase phase) {
        if (!measured(name, phase)) {
            return "-";
        }
        return median(name, phase, Measurement::clientMicrosPerMessage) + " / "
                + median(name, phase, Measurement::serverMicrosPerMessage) + " / "
                + median(name, phase, Measurement::brokerMicrosPerMessage);
    }

    private void goals(PrintStream out) {
        out.println("| goal | Hotline | other | ratio | target | result |");
        out.println("|---|---:|---:|---:|---:|---|");
        ToDoubleFunction<Measurement> p50 = Measurement::p50Micros;
        ToDoubleFunction<Measurement> rate = Measurement::rate;
        String calls = "calls/s at " + inFlight + " in flight";
        goal(out, "call p50 vs " + jetty, Phase.CALL_LATENCY, p50, jetty, 1.15, true, " µs");
        goal(out, "call p50 vs " + rabbit, Phase.CALL_LATENCY, p50, rabbit, 0.35, true, " µs");
        goal(out, "call p50 vs " + grpcPooled, Phase.CALL_LATENCY, p50, grpcPooled, 0.6, true, " µs");
        goal(out, calls + " vs " + jetty, Phase.CALL_THROUGHPUT, rate, jetty, 0.9, false, "/s");
        goal(out, calls + ", " + hotlineH2c + " vs " + jettyH2c, Phase.CALL_THROUGHPUT, rate, hotlineH2c, jettyH2c,
                0.8, false, "/s");
        goal(out, calls + ", " + hotlineDirect + " vs " + grpc, Phase.CALL_THROUGHPUT, rate, hotlineDirect, grpc, 0.8,
                false, "/s");
        goal(out, calls + ", " + hotlineH2cDirect + " vs " + grpc, Phase.CALL_THROUGHPUT, rate, hotlineH2cDirect, grpc,
                0.8, false, "/s");
        goal(out, "casts/s vs RabbitMQ publish with confirms", Phase.CAST_THROUGHPUT, rate, rabbit, 1.5, false, "/s");
        goal(out, "casts/s, " + hotlineH2c + " vs RabbitMQ publish with confirms", Phase.CAST_THROUGHPUT, rate,
                hotlineH2c, rabbit, 1.5, false, "/s");
        goal(out, "casts/s, " + hotlineH2cDirect + " vs RabbitMQ publish with confirms", Phase.CAST_THROUGHPUT, rate,
                hotlineH2cDirect, rabbit, 1.5, false, "/s");
        out.println();
        castFloor(out, jetty, "HTTP/1.1");
        castFloor(out, jettyH2c, "h2c");
        handOffFloor(out);
        nonBlockingFloor(out, calls, jetty, hotlineDirect);
        nonBlockingFloor(out, calls, jettyH2c, hotlineH2cDirect);
        blockingFloor(out, "call p50", Phase.CALL_LATENCY, Measurement::p50Micros, " µs", jettyBlocking, jetty, hotline);
        blockingFloor(out, calls, Phase.CALL_THROUGHPUT, Measurement::rate, "/s", jettyBlocking, jetty, hotline);
        blockingFloor(out, "call p50, with the oslo envelope", Phase.CALL_LATENCY, Measurement::p50Micros, " µs",
                jettyBlockingOslo, jetty, hotline);
        blockingFloor(out, calls + ", with the oslo envelope", Phase.CALL_THROUGHPUT, Measurement::rate, "/s",
                jettyBlockingOslo, jetty, hotline);
        blockingFloor(out, "call p50", Phase.CALL_LATENCY, Measurement::p50Micros, " µs", jettyH2cBlocking, jettyH2c,
                hotlineH2c);
        blockingFloor(out, calls, Phase.CALL_THROUGHPUT, Measurement::rate, "/s", jettyH2cBlocking, jettyH2c,
                hotlineH2c);
    }

    /**
     * The floor of an HTTP server whose methods may block: bare Jetty with a blocking handler ({@code floor}), against
     * the non-blocking exchange ({@code exchange}) the call goals are set against, and where Hotline ({@code mine},
     * whose methods may block) stands to it.
     */
    private void blockingFloor(PrintStream out, String what, Phase phase, ToDoubleFunction<Measurement> metric,
            String unit, String floor, String exchange, String mine) {
        if (!measured(floor, phase) || !measured(exchange, phase) || !measured(mine, phase)) {
            return;
        }
        double floorValue = medianOf(floor, phase, metric);
        out.printf(Locale.ROOT, "Floor for methods that may block, %s: %s %s%s, %.2fx %s; %s is %.2fx of this"
                + " floor.%n", what, floor, number(floorValue), unit, floorValue / medianOf(exchange, phase, metric),
                exchange, mine, medianOf(mine, phase, metric) / floorValue);
    }

    /**
     * The floor of casts whose methods may block, over h2c: bare Jetty answering 202 and handing the work to a pool
     * thread, as Hotline's default casts do, against RabbitMQ's casts, and where Hotline h2c's casts stand to it.
     */
    private void handOffFloor(PrintStream out) {
        if (!measured(jettyH2cHandOff, Phase.CALL_THROUGHPUT) || !measured(rabbit, Phase.CAST_THROUGHPUT)
                || !measured(hotlineH2c, Phase.CAST_THROUGHPUT)) {
            return;
        }
        double floor = medianOf(jettyH2cHandOff, Phase.CALL_THROUGHPUT, Measurement::rate);
        out.printf(Locale.ROOT, "Floor for casts that may block, over h2c: %s does %s/s at %d in flight, %.2fx"
                + " RabbitMQ's casts/s; %s's casts are %.2fx of this floor.%n", jettyH2cHandOff, number(floor),
                inFlight, floor / medianOf(rabbit, Phase.CAST_THROUGHPUT, Measurement::rate), hotlineH2c,
                medianOf(hotlineH2c, Phase.CAST_THROUGHPUT, Measurement::rate) / floor);
    }

    /**
     * The floor of calls to methods that never block, over one protocol: bare Jetty's non-blocking exchange ({@code
     * floor}) against gRPC's {@code directExecutor}, the goal's other side, and where Hotline's {@code @NonBlocking}
     * endpoints over that protocol ({@code mine}) stand to it.
     */
    private void nonBlockingFloor(PrintStream out, String calls, String floor, String mine) {
        Phase phase = Phase.CALL_THROUGHPUT;
        if (!measured(floor, phase) || !measured(grpc, phase) || !measured(mine, phase)) {
            return;
        }
        double floorValue = medianOf(floor, phase, Measurement::rate);
        out.printf(Locale.ROOT, "Floor for methods that never block, %s: %s %s/s, %.2fx %s; %s is %.2fx of this"
                + " floor.%n", calls, floor, number(floorValue), floorValue / medianOf(grpc, phase, Measurement::rate),
                grpc, mine, medianOf(mine, phase, Measurement::rate) / floorValue);
    }

    /**
     * The most casts/s an HTTP cast can reach here: a cast accepted is one HTTP exchange, so bare Jetty's exchange
     * rate at the same requests in flight, against RabbitMQ's casts/s, is the ratio no HTTP cast can pass.
     */
    private void castFloor(PrintStream out, String floor, String protocol) {
        if (!measured(floor, Phase.CALL_THROUGHPUT) || !measured(rabbit, Phase.CAST_THROUGHPUT)) {
            return;
        }
        double exchanges = medianOf(floor, Phase.CALL_THROUGHPUT, Measurement::rate);
        double casts = medianOf(rabbit, Phase.CAST_THROUGHPUT, Measurement::rate);
        out.printf(Locale.ROOT, "Floor for casts over %s: %s does %s exchanges/s at %d in flight, %.2fx RabbitMQ's"
                + " casts/s; a cast goal above that ratio is above what an HTTP exchange allows here.%n", protocol,
                floor, number(exchanges), inFlight, exchanges / casts);
    }

    private void goal(PrintStream out, String what, Phase phase, ToDoubleFunction<Measurement> metric, String other,
            double limit, boolean atMost, String unit) {
        goal(out, what, phase, metric, hotline, other, limit, atMost, unit);
    }

    private void goal(PrintStream out, String what, Phase phase, ToDoubleFunction<Measurement> metric, String mine,
            String other, double limit, boolean atMost, String unit) {
        if (!measured(mine, phase) || !measured(other, phase)) {
            return;
        }
        double ours = medianOf(mine, phase, metric);
        double theirs = medianOf(other, phase, metric);
        double ratio = ours / theirs;
        boolean pass = atMost ? ratio <= limit : ratio >= limit;
        out.printf(Locale.ROOT, "| %s | %s%s | %s%s | %.2fx | %s %.2fx | %s |%n", what, number(ours), unit,
                number(theirs), unit, ratio, atMost ? "<=" : ">=", limit, pass ? "PASS" : "MISS");
    }

    private boolean measured(String name, Phase phase) {
        return name != null && results.get(name).containsKey(phase);
    }

    private void failures(PrintStream out) {
        List<String> lines = new ArrayList<>();
        results.forEach((name, phases) -> phases.forEach((phase, rounds) -> {
            long failed = rounds.stream().mapToLong(Measurement::failed).sum();
            if (failed > 0) {
                String first = rounds.stream().map(Measurement::firstError).filter(e -> e != null).findFirst()
                        .orElse("?");
                lines.add("- " + name + ", " + phase.label(inFlight) + ": " + failed + " failed, first: " + first);
            }
        }));
        if (lines.isEmpty()) {
            out.println("Failed requests: none.");
        } else {
            out.println("Failed requests (not counted above):");
            lines.forEach(out::println);
        }
    }

    private String median(String name, Phase phase, ToDoubleFunction<Measurement> metric) {
        return results.get(name).containsKey(phase) ? number(medianOf(name, phase, metric)) : "-";
    }

    private String spread(String name, Phase phase, ToDoubleFunction<Measurement> metric) {
        List<Measurement> rounds = results.get(name).get(phase);
        if (rounds == null) {
            return "-";
        }
        double[] values = rounds.stream().mapToDouble(metric).sorted().toArray();
        return number(values[0]) + "-" + number(values[values.length - 1]);
    }

    private double medianOf(String name, Phase phase, ToDoubleFunction<Measurement> metric) {
        List<Measurement> rounds = results.get(name).get(phase);
        if (rounds == null || rounds.isEmpty()) {
            throw new IllegalStateException(name + " has no measurement of " + phase.label(inFlight));
        }
        double[] values = rounds.stream().mapToDouble(metric).sorted().toArray();
        int mid = values.length / 2;
        return values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    /** Whole numbers from 100 up, thousands separated; below, the decimals that still mean something. */
    static String number(double value) {
        if (value >= 100) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        return String.format(Locale.ROOT, value >= 10 ? "%.1f" : "%.2f", value);
    }

    @FunctionalInterface
    private interface Cell {
        String format(String contender, Phase phase, ToDoubleFunction<Measurement> metric);
    }
}

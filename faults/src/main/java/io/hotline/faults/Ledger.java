package io.hotline.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What the servers recorded running: how many times each call id and each cast id started, over every server. */
record Ledger(Map<String, Integer> calls, Map<String, Integer> casts) {

    static Ledger read(List<Path> records) {
        Map<String, Integer> calls = new HashMap<>();
        Map<String, Integer> casts = new HashMap<>();
        for (Path record : records) {
            if (!Files.exists(record)) {
                continue;
            }
            List<String> lines;
            try {
                lines = Files.readAllLines(record, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the record " + record, e);
            }
            for (String line : lines) {
                // A kill -9 between two writes leaves whole lines only: each is one write(2).
                if (line.startsWith("call ")) {
                    calls.merge(line.substring(5), 1, Integer::sum);
                } else if (line.startsWith("cast ")) {
                    casts.merge(line.substring(5), 1, Integer::sum);
                } else if (!line.isEmpty()) {
                    throw new IllegalStateException("not a record line in " + record + ": " + line);
                }
            }
        }
        return new Ledger(Map.copyOf(calls), Map.copyOf(casts));
    }

    /**
     * For messages every server gets (fanouts): how many times the server that ran each id most often ran it, so that
     * a count above one means one server ran it twice.
     */
    static Ledger mostByOneServer(List<Path> records) {
        Map<String, Integer> calls = new HashMap<>();
        Map<String, Integer> casts = new HashMap<>();
        for (Path record : records) {
            Ledger one = read(List.of(record));
            one.calls.forEach((id, n) -> calls.merge(id, n, Math::max));
            one.casts.forEach((id, n) -> casts.merge(id, n, Math::max));
        }
        return new Ledger(Map.copyOf(calls), Map.copyOf(casts));
    }

    int ran(boolean call, String id) {
        return (call ? calls : casts).getOrDefault(id, 0);
    }

    int size() {
        return calls.size() + casts.size();
    }
}

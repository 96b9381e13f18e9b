package io.hotline.broadcaster;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which broadcaster owns which server, computed here from the formula the documents give (ARCHITECTURE.md, "tree
 * split"), not from the broadcaster's code: so the tests check that every cast comes from its documented owner, and
 * that the formula, which broadcasters of different versions must share, stays what it says.
 */
final class Ownership {

    private Ownership() {}

    static long weight(String broadcasterId, String serverId) {
        long z = ((long) broadcasterId.hashCode() << 32) | (serverId.hashCode() & 0xFFFFFFFFL);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The owner of {@code serverId}: the highest weight, the lowest id on a tie. */
    static String owner(Collection<String> broadcasterIds, String serverId) {
        List<String> sorted = broadcasterIds.stream().sorted().toList();
        String best = sorted.get(0);
        for (String b : sorted) {
            if (weight(b, serverId) > weight(best, serverId)) {
                best = b;
            }
        }
        return best;
    }

    /** How many of {@code serverIds} each broadcaster owns (absent: none). */
    static Map<String, Integer> counts(Collection<String> broadcasterIds, Collection<String> serverIds) {
        Map<String, Integer> counts = new HashMap<>();
        serverIds.forEach(s -> counts.merge(owner(broadcasterIds, s), 1, Integer::sum));
        return counts;
    }
}

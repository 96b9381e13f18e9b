package io.hotline.rpc.internal.fanout;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hotline.discovery.Directory;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.Query;
import io.hotline.discovery.Resolution;
import io.hotline.discovery.Untrusted;
import io.hotline.rpc.FanoutReport;
import io.hotline.rpc.FanoutReport.Delivery;
import io.hotline.rpc.FanoutReport.Outcome;
import io.hotline.rpc.internal.fanout.FanoutEngine.Fanout;
import io.hotline.rpc.internal.wire.JsonPost;
import io.hotline.rpc.internal.wire.Wire;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tree split of a broadcaster's large fanouts among its peers, by ownership: every server has one owner among the
 * broadcasters taking part, the one with the highest {@link #weight} of (broadcaster id, server id) (rendezvous
 * hashing), and gets the cast from it, whichever broadcaster the fanout started at. So each broadcaster casts about
 * N/B of the servers and keeps connections to those alone (N connections across the fleet, not N x B), and one more
 * broadcaster takes about 1/B of every other's servers.
 *
 * <p>A fanout with more targets than {@link FanoutEngine.Settings#splitThreshold()} is split among the participants:
 * this broadcaster and the other broadcasters of its home zone, or, when its zone has no other, those of every zone;
 * each is named by its endpoint id and they are taken in id order. A node holding targets and participants casts the
 * targets it owns itself through the {@link SendQueue}, cuts its other participants in id order into
 * {@link FanoutEngine.Settings#splitWays()} contiguous groups at most, and hands each group's first member a share:
 * the targets the group's members own ({@code targets}) and the group's ids ({@code peers}). Its receiver does the
 * same with the group as participants, whatever the share's size, so the depth is log B to the base split-ways. A
 * share without {@code peers} (from a broadcaster of an earlier version) is cast entirely by its receiver; a member of
 * {@code peers} the receiver cannot find among the broadcasters has its servers cast by the receiver.
 *
 * <p>A share whose peer refused the connection, or refused the request before starting it (4xx, 503), is cast here
 * instead, and so is each server the peer's report marks {@link Delivery#notSent()} (it could not see it); a share
 * whose peer may have started it (timed out, broke, 5xx) is reported as {@link Outcome#ERROR} for each of its servers
 * and not redone, so no server gets the cast twice. Shares carry the peer token in
 * {@value FanoutEngine#PEER_TOKEN_HEADER}: only broadcasters holding it may hand out shares, as a share names its
 * servers and any client may send a fanout.
 */
final class TreeSplit {

    private static final Logger log = LoggerFactory.getLogger(TreeSplit.class);
    /** A peer's report has one entry of about a hundred bytes per server; this is ample. */
    private static final int REPORT_BYTES_PER_TARGET = 2048;

    private final Directory directory;
    private final HttpClient http;
    private final FanoutEngine.Settings settings;
    private final FanoutEngine.Split split;
    private final SendQueue queue;

    TreeSplit(Directory directory, HttpClient http, FanoutEngine.Settings settings, FanoutEngine.Split split,
            SendQueue queue) {
        this.directory = directory;
        this.http = http;
        this.settings = settings;
        this.split = split;
        this.queue = queue;
    }

    /** Whether a fanout to this many servers is split (a share with peers is split whatever its size). */
    boolean splits(int targets) {
        return targets > settings.splitThreshold();
    }

    /**
     * A server's weight for a broadcaster; the highest among the participants owns it. Only {@link String#hashCode()},
     * which Java specifies, and the SplitMix64 finalizer go in, so that every broadcaster, in any JVM and version,
     * finds the same owner: {@code mix64((long) broadcasterId.hashCode() << 32 | (serverId.hashCode() & 0xFFFFFFFFL))}.
     */
    static long weight(String broadcasterId, String serverId) {
        long z = (long) broadcasterId.hashCode() << 32 | (serverId.hashCode() & 0xFFFFFFFFL);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The owner of {@code serverId} among {@code members} (sorted): the highest weight, the lowest id on a tie. */
    static int owner(List<String> members, String serverId) {
        int best = 0;
        long bestWeight = weight(members.get(0), serverId);
        for (int m = 1; m < members.size(); m++) {
            long w = weight(members.get(m), serverId);
            if (w > bestWeight) {
                best = m;
                bestWeight = w;
            }
        }
        return best;
    }

    /**
     * Queues the targets this broadcaster owns and hands the others to the groups of participants owning them (see the
     * class description). Until this broadcaster is registered it has no id to own anything by, and casts it all.
     */
    void start(Fanout fanout) {
        String self = split.self().get();
        if (self == null) {
            queue.add(fanout, 0, fanout.size());
            return;
        }
        List<String> peerIds = fanout.order().peers();
        Map<String, Endpoint> reachable = peerIds == null ? peers(self) : broadcasters(peerIds, self);
        List<String> members = new ArrayList<>(peerIds == null ? reachable.keySet() : peerIds);
        if (!members.contains(self)) {
            members.add(self);
        }
        Collections.sort(members);
        List<String> others = members.stream().filter(reachable::containsKey).toList();
        int ways = Math.min(settings.splitWays(), others.size());
        // Each member's group, or -1 for this broadcaster and for members it cannot reach: it casts their servers.
        int[] groupOf = new int[members.size()];
        Arrays.fill(groupOf, -1);
        int[] firstOf = new int[ways + 1];
        for (int g = 0; g <= ways; g++) {
            firstOf[g] = ways == 0 ? 0 : (int) ((long) others.size() * g / ways);
        }
        Map<String, Integer> position = new HashMap<>();
        for (int m = 0; m < members.size(); m++) {
            position.put(members.get(m), m);
        }
        for (int g = 0; g < ways; g++) {
            for (int k = firstOf[g]; k < firstOf[g + 1]; k++) {
                groupOf[position.get(others.get(k))] = g;
            }
        }
        List<List<Integer>> shares = new ArrayList<>();
        for (int g = 0; g < ways; g++) {
            shares.add(new ArrayList<>());
        }
        int unreachable = 0;
        for (int i = 0; i < fanout.size(); i++) {
            int owner = owner(members, fanout.endpoint(i).id());
            int g = groupOf[owner];
            if (g >= 0) {
                shares.get(g).add(i);
            } else {
                if (!members.get(owner).equals(self)) {
                    unreachable++;
                }
                queue.add(fanout, i, i + 1);
            }
        }
        if (unreachable > 0) {
            log.info("fanout {} of {}: {} servers belong to broadcasters named in peers that are not registered here;"
                    + " casting them here", Untrusted.escape(fanout.msgId()), fanout.order().service(), unreachable);
        }
        for (int g = 0; g < ways; g++) {
            if (!shares.get(g).isEmpty()) {
                List<String> group = others.subList(firstOf[g], firstOf[g + 1]);
                handOver(fanout, reachable.get(group.get(0)), shares.get(g).stream().mapToInt(Integer::intValue)
                        .toArray(), group);
            }
        }
    }

    /**
     * The other broadcasters taking part in a split started here, by id: those of this zone, so that shares and the
     * connections they make stay near; or, when this zone has no other, those of every zone, so that a broadcaster
     * alone in its zone still splits (its fanouts then own servers by another set of broadcasters than the fanouts of
     * a zone with several).
     */
    private Map<String, Endpoint> peers(String selfId) {
        Map<String, Endpoint> peers = byId(directory.resolve(Query.of(Wire.BROADCASTER_SERVICE).home()).endpoints(),
                selfId);
        return peers.isEmpty()
                ? byId(directory.resolve(Query.of(Wire.BROADCASTER_SERVICE).allZones()).endpoints(), selfId)
                : peers;
    }

    private static Map<String, Endpoint> byId(List<Endpoint> endpoints, String selfId) {
        Map<String, Endpoint> byId = new TreeMap<>();
        endpoints.forEach(e -> byId.putIfAbsent(e.id(), e));
        byId.remove(selfId);
        return byId;
    }

    /** The broadcasters a share's {@code peers} names, other than this one, that are registered in any zone. */
    private Map<String, Endpoint> broadcasters(List<String> ids, String selfId) {
        Resolution all = directory.resolve(Query.of(Wire.BROADCASTER_SERVICE).allZones());
        Map<String, Endpoint> found = new TreeMap<>();
        for (String id : ids) {
            if (!id.equals(selfId)) {
                all.endpointWithId(id).ifPresent(e -> found.put(id, e));
            }
        }
        return found;
    }

    /**
     * Asks {@code peer}, the first of {@code group}, to cast to the targets at {@code share} and report, splitting
     * them among {@code group}; merges its report into the fanout's.
     */
    private void handOver(Fanout f, Endpoint peer, int[] share, List<String> group) {
        ObjectNode shareRequest = f.shareTemplate().deepCopy();
        ArrayNode ids = shareRequest.putArray("targets");
        for (int i : share) {
            ids.add(f.endpoint(i).id());
        }
        ArrayNode peers = shareRequest.putArray("peers");
        group.forEach(peers::add);
        byte[] body;
        try {
            body = Wire.MAPPER.writeValueAsBytes(shareRequest);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a share of " + f.order().service() + ": " + e, e);
        }
        Request request = JsonPost.to(http, peer.baseUri(), Wire.FANOUT_PATH + f.order().service(), body,
                settings.peerTimeout().toMillis(), f.order().authorization(), f.order().trace())
                .headers(h -> h.put(FanoutEngine.PEER_TOKEN_HEADER, split.peerToken()));
        log.debug("fanout {} of {}: {} servers handed to peer {}", Untrusted.escape(f.msgId()),
                f.order().service(), share.length, peer.baseUri());
        CompletableFuture<ContentResponse> sent;
        try {
            sent = JsonPost.send(request, 4096 + REPORT_BYTES_PER_TARGET * share.length);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((response, failure) -> {
            if (failure == null && response.getStatus() == 200) {
                merge(f, peer, share, response);
            } else if (failure != null ? SendQueue.refused(failure) : notStarted(response)) {
                // The peer cannot have cast any of it: do it here rather than drop it.
                String why = failure != null ? Untrusted.escape(failure)
                        : "HTTP " + response.getStatus() + " " + Untrusted.escape(SendQueue.errorMessage(response));
                if (failure == null && (response.getStatus() == 401 || response.getStatus() == 403)) {
                    // A peer token that differs, or a peer without one: every split is cast here until it is fixed.
                    log.warn("fanout {} of {}: peer {} refused a share of {} servers ({}); casting it here. Give every"
                            + " broadcaster the same hotline.broadcaster.peer-token", Untrusted.escape(f.msgId()),
                            f.order().service(), peer.baseUri(), share.length, why);
                } else {
                    log.info("fanout {} of {}: peer {} did not take a share of {} servers ({}); casting it here",
                            Untrusted.escape(f.msgId()), f.order().service(), peer.baseUri(), share.length, why);
                }
                for (int i : share) {
                    queue.add(f, i, i + 1);
                }
                queue.pump();
            } else {
                String why = failure != null ? failure.toString()
                        : "HTTP " + response.getStatus() + " " + SendQueue.errorMessage(response);
                for (int i : share) {
                    Endpoint e = f.endpoint(i);
                    queue.settle(f, i, new Delivery(e.id(), e.server(), Outcome.ERROR, null, "handed to peer"
                            + " broadcaster " + peer.baseUri() + ", which did not report (" + why + "); it may or may"
                            + " not have cast it, so it is not cast again"));
                }
            }
        });
    }

    /** A refusal before the peer started anything: bad request, token, body too large, busy. */
    private static boolean notStarted(ContentResponse response) {
        int status = response.getStatus();
        return (status >= 400 && status < 500) || status == 503;
    }

    private void merge(Fanout f, Endpoint peer, int[] share, ContentResponse response) {
        Map<String, Delivery> byId = new HashMap<>();
        String problem = null;
        try {
            FanoutReport report = Wire.REPORT_READER.readValue(response.getContent());
            report.results().forEach(d -> byId.put(d.id(), d));
        } catch (IOException | RuntimeException e) {
            problem = "its answer is not a fanout report: " + e.getMessage();
        }
        int unsent = 0;
        for (int i : share) {
            Endpoint e = f.endpoint(i);
            Delivery d = byId.get(e.id());
            if (d != null && d.notSent()) {
                // The peer could not see it (its store is behind, or holds another zone) and sent nothing: cast here.
                queue.add(f, i, i + 1);
                unsent++;
            } else {
                queue.settle(f, i, d != null ? d : new Delivery(e.id(), e.server(), Outcome.ERROR, null,
                        "handed to peer broadcaster " + peer.baseUri() + ", whose report "
                        + (problem != null ? "is unreadable: " + problem : "leaves it out") + "; not cast again"));
            }
        }
        if (unsent > 0) {
            log.info("fanout {} of {}: peer {} could not see {} servers of its share; casting them here",
                    Untrusted.escape(f.msgId()), f.order().service(), peer.baseUri(), unsent);
            queue.pump();
        }
    }
}

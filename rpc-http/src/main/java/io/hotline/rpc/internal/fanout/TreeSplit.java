package io.hotline.rpc.internal.fanout;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hotline.discovery.Directory;
import io.hotline.discovery.Endpoint;
import io.hotline.discovery.Query;
import io.hotline.discovery.Untrusted;
import io.hotline.rpc.FanoutReport;
import io.hotline.rpc.FanoutReport.Delivery;
import io.hotline.rpc.FanoutReport.Outcome;
import io.hotline.rpc.internal.fanout.FanoutEngine.Fanout;
import io.hotline.rpc.internal.wire.JsonPost;
import io.hotline.rpc.internal.wire.Wire;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tree split of a broadcaster's large fanouts among its peers: a fanout with more targets than
 * {@link FanoutEngine.Settings#splitThreshold()} hands equal shares of them to up to
 * {@link FanoutEngine.Settings#splitWays()} peer broadcasters (same zone first) and casts one share itself through
 * the {@link SendQueue}; a peer does the same with its share while it is above the threshold, so the time grows with
 * log N and no process holds connections to every server.
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

    /** Whether a fanout to this many servers is split. */
    boolean splits(int targets) {
        return targets > settings.splitThreshold();
    }

    /**
     * Cuts a fanout into equal parts, one per peer it needs and finds (at most the split ways) and one more: queues
     * the first here and hands each other to a peer (which may split it again). Without peers all of it is queued here.
     */
    void start(Fanout fanout) {
        int n = fanout.size();
        List<Endpoint> peers = peers(split.self().get());
        int ways = Math.max(0, Math.min(Math.min(settings.splitWays(), peers.size()),
                (n + settings.splitThreshold() - 1) / settings.splitThreshold() - 1));
        int parts = ways + 1;
        for (int p = 0; p < parts; p++) {
            int from = (int) ((long) n * p / parts);
            int to = (int) ((long) n * (p + 1) / parts);
            if (p == 0) {
                queue.add(fanout, from, to);
            } else {
                handOver(fanout, peers.get(p - 1), from, to);
            }
        }
    }

    /** Other broadcasters: those of this zone first, in random order to spread the load, then the rest. */
    private List<Endpoint> peers(String selfId) {
        List<Endpoint> near = new ArrayList<>(directory.resolve(Query.of(Wire.BROADCASTER_SERVICE).home())
                .endpoints());
        List<Endpoint> far = new ArrayList<>(directory.resolve(Query.of(Wire.BROADCASTER_SERVICE).allZones())
                .endpoints());
        Collections.shuffle(near);
        Collections.shuffle(far);
        Map<String, Endpoint> peers = new LinkedHashMap<>();
        near.forEach(e -> peers.putIfAbsent(e.id(), e));
        far.forEach(e -> peers.putIfAbsent(e.id(), e));
        peers.remove(selfId);
        return List.copyOf(peers.values());
    }

    /** Asks {@code peer} to cast to targets {@code from..to} and report; merges its report into the fanout's. */
    private void handOver(Fanout f, Endpoint peer, int from, int to) {
        List<Endpoint> share = f.endpoints(from, to);
        ObjectNode shareRequest = f.shareTemplate().deepCopy();
        ArrayNode ids = shareRequest.putArray("targets");
        share.forEach(e -> ids.add(e.id()));
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
                f.order().service(), share.size(), peer.baseUri());
        CompletableFuture<ContentResponse> sent;
        try {
            sent = new CompletableResponseListener(request, 4096 + REPORT_BYTES_PER_TARGET * share.size()).send();
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((response, failure) -> {
            if (failure == null && response.getStatus() == 200) {
                merge(f, peer, from, to, response);
            } else if (failure != null ? SendQueue.refused(failure) : notStarted(response)) {
                // The peer cannot have cast any of it: do it here rather than drop it.
                String why = failure != null ? Untrusted.escape(failure)
                        : "HTTP " + response.getStatus() + " " + Untrusted.escape(SendQueue.errorMessage(response));
                if (failure == null && (response.getStatus() == 401 || response.getStatus() == 403)) {
                    // A peer token that differs, or a peer without one: every split is cast here until it is fixed.
                    log.warn("fanout {} of {}: peer {} refused a share of {} servers ({}); casting it here. Give every"
                            + " broadcaster the same hotline.broadcaster.peer-token", Untrusted.escape(f.msgId()),
                            f.order().service(), peer.baseUri(), share.size(), why);
                } else {
                    log.info("fanout {} of {}: peer {} did not take a share of {} servers ({}); casting it here",
                            Untrusted.escape(f.msgId()), f.order().service(), peer.baseUri(), share.size(), why);
                }
                queue.add(f, from, to);
                queue.pump();
            } else {
                String why = failure != null ? failure.toString()
                        : "HTTP " + response.getStatus() + " " + SendQueue.errorMessage(response);
                for (int i = from; i < to; i++) {
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

    private void merge(Fanout f, Endpoint peer, int from, int to, ContentResponse response) {
        Map<String, Delivery> byId = new HashMap<>();
        String problem = null;
        try {
            FanoutReport report = Wire.REPORT_READER.readValue(response.getContent());
            report.results().forEach(d -> byId.put(d.id(), d));
        } catch (IOException | RuntimeException e) {
            problem = "its answer is not a fanout report: " + e.getMessage();
        }
        int unsent = 0;
        for (int i = from; i < to; i++) {
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

package io.hotline.rpc.server;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** An endpoint object as a service author writes one: plain public methods, arguments by name. */
public class TestApi {

    public final List<String> events = new CopyOnWriteArrayList<>();
    /** {@link #hold()} counts this down on entry and waits for {@link #release}. */
    final CountDownLatch holding = new CountDownLatch(1);
    /** How many calls of {@link #hold()} have entered. */
    final AtomicInteger holders = new AtomicInteger();
    final CountDownLatch release = new CountDownLatch(1);
    final String name;

    public TestApi(String name) {
        this.name = name;
    }

    public String echo(String text) {
        return text;
    }

    public int add(int a, int b) {
        return a + b;
    }

    public Map<String, Object> describe(List<Integer> values) {
        return Map.of("count", values.size(), "server", name);
    }

    public void record(String event) {
        events.add(event);
    }

    public void recordSlowly(String event) throws InterruptedException {
        Thread.sleep(20);
        events.add(event);
    }

    public Object whoami(RpcContext context) {
        return context.values().get("user");
    }

    public String server() {
        return name;
    }

    public void fail(String message) {
        throw new IllegalStateException(message);
    }

    public String slow(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return "done";
    }

    public String hold() throws InterruptedException {
        holders.incrementAndGet();
        holding.countDown();
        return release.await(30, TimeUnit.SECONDS) ? "released" : "gave up";
    }

    public String _secret() {
        return "never callable";
    }
}

package io.hotline.broadcaster;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An endpoint object that remembers every event cast to it, to count deliveries per server. */
public class Recorder {

    final List<String> events = new CopyOnWriteArrayList<>();

    public void record(String event) {
        events.add(event);
    }
}

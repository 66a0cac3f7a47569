package io.tern.store.service;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * In-process bus for alias moves. A subscriber gets a snapshot and then every later event, with nothing lost in
 * between: snapshot and registration happen under the same lock as publishing.
 */
public final class AliasEvents {
    private final List<Consumer<AliasEvent>> listeners = new CopyOnWriteArrayList<>();

    /** Delivers {@code snapshot} (may be empty) to {@code listener}, then registers it; close to unsubscribe. */
    public synchronized AutoCloseable subscribe(Supplier<List<AliasEvent>> snapshot, Consumer<AliasEvent> listener) {
        snapshot.get().forEach(listener);
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    public synchronized void publish(AliasEvent event) {
        for (Consumer<AliasEvent> l : listeners) {
            try {
                l.accept(event);
            } catch (RuntimeException e) {
                listeners.remove(l);
            }
        }
    }

    public int subscribers() {
        return listeners.size();
    }
}

package io.tern.store.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A model's aliases and their history; stored as one file so both change together atomically. */
public record AliasTable(Map<String, Integer> aliases, List<AliasChange> history) {

    public static final AliasTable EMPTY = new AliasTable(Map.of(), List.of());

    public AliasTable {
        aliases = java.util.Collections.unmodifiableMap(new TreeMap<>(aliases));
        history = List.copyOf(history);
    }

    /** A copy with {@code change} applied and appended to the history. */
    public AliasTable apply(AliasChange change) {
        Map<String, Integer> next = new TreeMap<>(aliases);
        if (change.version() == null) {
            next.remove(change.alias());
        } else {
            next.put(change.alias(), change.version());
        }
        List<AliasChange> h = new ArrayList<>(history);
        h.add(change);
        return new AliasTable(next, h);
    }

    /** Aliases pointing at {@code version}. */
    public List<String> pointingAt(int version) {
        return aliases.entrySet().stream().filter(e -> e.getValue() == version).map(Map.Entry::getKey).toList();
    }
}

package io.tern.worker;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/** The one shard this worker serves, if any. Empty until a shard has been loaded and warmed up. */
@ApplicationScoped
public class ShardSlot {

    static final String EMPTY_STATUS = "no shard loaded";

    private volatile ShardInfo loaded;

    public Optional<ShardInfo> loaded() {
        return Optional.ofNullable(loaded);
    }

    /** Marks {@code shard} as loaded and ready for Forward. */
    public void put(ShardInfo shard) {
        loaded = shard;
    }

    public void clear() {
        loaded = null;
    }
}

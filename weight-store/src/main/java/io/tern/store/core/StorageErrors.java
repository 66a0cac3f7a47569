package io.tern.store.core;

import java.io.IOException;

/** Turns I/O failures under the store root into {@link StoreException}s that say what happened. */
public final class StorageErrors {

    private StorageErrors() {
    }

    /** Maps an I/O failure while doing {@code what}; a full disk becomes NO_SPACE with a clear message. */
    public static StoreException map(IOException e, String what) {
        if (isDiskFull(e)) {
            return new StoreException(StoreException.Kind.NO_SPACE,
                    "the store's disk is full (no space left on device) while " + what
                            + "; free space under the store root or move it (tern.store.root)", e);
        }
        return new StoreException(StoreException.Kind.INTERNAL, "I/O error while " + what + ": " + e, e);
    }

    /** True when the failure, or one of its causes, is a full disk or an exhausted quota. */
    public static boolean isDiskFull(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }
}

package io.tern.worker;

/**
 * Bytes of KV cache the worker may hand out. A sequence reserves what its longest length needs when it is created
 * ({@code KvCache.bytesFor}), so a running sequence can never push the worker out of memory; what does not fit is
 * refused up front. Guarded by the scheduler's lock.
 */
final class KvBudget {
    private final long capacity;
    private long reserved;

    KvBudget(long capacityBytes) {
        if (capacityBytes <= 0) {
            throw new IllegalArgumentException("KV budget must be positive, is " + capacityBytes + " bytes");
        }
        this.capacity = capacityBytes;
    }

    boolean tryReserve(long bytes) {
        if (bytes > capacity - reserved) {
            return false;
        }
        reserved += bytes;
        return true;
    }

    void release(long bytes) {
        reserved -= bytes;
    }

    long capacity() {
        return capacity;
    }

    long reserved() {
        return reserved;
    }

    long free() {
        return capacity - reserved;
    }
}

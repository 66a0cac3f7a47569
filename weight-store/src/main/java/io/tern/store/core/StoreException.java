package io.tern.store.core;

/** A store operation refused or failed for a reason the caller can act on; {@link #kind()} picks the status code. */
public final class StoreException extends RuntimeException {

    /** What went wrong, in terms a REST status or gRPC code can express. */
    public enum Kind {
        /** Bad name, bad number, malformed or truncated upload (400 / INVALID_ARGUMENT). */
        INVALID,
        /** Unknown model, version, alias or blob (404 / NOT_FOUND). */
        NOT_FOUND,
        /** Refused because of the current state, e.g. deleting an aliased version (409 / FAILED_PRECONDITION). */
        CONFLICT,
        /** A stored blob no longer matches its sha256 (500 / DATA_LOSS). */
        CORRUPT,
        /** An upload larger than tern.store.max-upload-bytes (413 / RESOURCE_EXHAUSTED). */
        TOO_LARGE,
        /** The disk under the store root is full (507 / RESOURCE_EXHAUSTED). */
        NO_SPACE,
        /** The store cannot work right now, e.g. its root is unusable (503 / UNAVAILABLE). */
        UNAVAILABLE,
        /** Anything else (500 / INTERNAL). */
        INTERNAL
    }

    private final Kind kind;

    public StoreException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public StoreException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static StoreException invalid(String message) {
        return new StoreException(Kind.INVALID, message);
    }

    public static StoreException notFound(String message) {
        return new StoreException(Kind.NOT_FOUND, message);
    }

    public static StoreException tooLarge(String message) {
        return new StoreException(Kind.TOO_LARGE, message);
    }

    public static StoreException conflict(String message) {
        return new StoreException(Kind.CONFLICT, message);
    }
}

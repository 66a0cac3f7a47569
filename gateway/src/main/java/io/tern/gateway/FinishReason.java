package io.tern.gateway;

/** Why a generation ended. */
public enum FinishReason {
    /** End-of-sequence token or a stop string. */
    STOP,
    /** max_tokens or the context was reached. */
    LENGTH,
    /** The client went away or cancelled. */
    CANCELLED,
    /** Generation failed. */
    ERROR;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

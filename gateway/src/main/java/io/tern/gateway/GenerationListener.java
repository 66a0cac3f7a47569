package io.tern.gateway;

/** Receives one generation's output. Called from the generation's thread, in order. */
public interface GenerationListener {

    /** The request passed the queue and got its workers. */
    default void started(PreparedRequest request) {
    }

    /** Newly sampled token ids and the text they complete (either may be empty). */
    void tokens(int[] ids, String text);

    /** The end: always called exactly once, also after an error or cancellation. */
    void finished(Outcome outcome);

    /**
     * How a generation ended.
     *
     * @param error null unless finish is ERROR or CANCELLED
     */
    record Outcome(String requestId, String version, FinishReason finish, int promptTokens, int completionTokens,
                   String text, GatewayException error) {
    }
}

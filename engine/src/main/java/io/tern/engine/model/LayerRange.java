package io.tern.engine.model;

import io.tern.engine.gguf.GgufFormatException;
import io.tern.engine.gguf.GgufMetadata;

/**
 * The contiguous layers [start, end) a file holds. A whole model holds [0, layers); a shard
 * written by the weight-store says its range in the metadata keys below.
 */
public record LayerRange(int start, int end) {
    public static final String START_KEY = "tern.shard.layer_start";
    public static final String END_KEY = "tern.shard.layer_end";

    public LayerRange {
        if (start < 0 || end < start)
            throw new IllegalArgumentException("bad layer range [" + start + ", " + end + ")");
    }

    public static LayerRange of(GgufMetadata md, int layers) throws GgufFormatException {
        int start = md.getInt(START_KEY, 0);
        int end = md.getInt(END_KEY, layers);
        if (start < 0 || end > layers || start > end)
            throw new GgufFormatException("shard layer range [" + start + ", " + end + ") is outside the model's " + layers + " layers");
        return new LayerRange(start, end);
    }

    public int count() { return end - start; }

    public boolean holdsFirst() { return start == 0; }

    public boolean holdsLast(int layers) { return end == layers; }
}

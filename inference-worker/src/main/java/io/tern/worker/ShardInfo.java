package io.tern.worker;

/**
 * What a loaded shard is: a contiguous layer range {@code [layerStart, layerEnd)} of one model version.
 * The first shard owns the token embedding, the last one the output norm and head.
 */
public record ShardInfo(String model, String version, int layerStart, int layerEnd, int nLayers, int nEmbd,
                        int nVocab, int contextLength) {

    public ShardInfo {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("shard needs a model name");
        }
        if (layerStart < 0 || layerEnd <= layerStart || layerEnd > nLayers) {
            throw new IllegalArgumentException("bad layer range [" + layerStart + ", " + layerEnd + ") of "
                    + nLayers + " layers");
        }
    }

    public boolean isFirst() {
        return layerStart == 0;
    }

    public boolean isLast() {
        return layerEnd == nLayers;
    }
}

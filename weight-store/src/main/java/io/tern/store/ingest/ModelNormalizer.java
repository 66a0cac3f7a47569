package io.tern.store.ingest;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Turns what a user brings (a GGUF file, a Hugging Face model directory) into the one canonical GGUF the store
 * keeps: arch {@code bitnet}, ternary linear weights, tokenizer and chat template embedded, verified by loading it
 * with the engine and running a forward step. Default: {@link EngineModelNormalizer}.
 */
public interface ModelNormalizer {

    /**
     * Normalises {@code source}; any new file goes into {@code workDir} (deleted by the caller afterwards unless
     * adopted as a blob). A source that is not a usable model is a {@code StoreException} of kind INVALID.
     */
    NormalizedModel normalize(Path source, Path workDir, ImportProgress progress) throws IOException;
}

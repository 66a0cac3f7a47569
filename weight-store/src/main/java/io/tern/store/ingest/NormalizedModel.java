package io.tern.store.ingest;

import io.tern.engine.importer.TensorSummary;
import java.nio.file.Path;
import java.util.List;

/**
 * The result of normalising a source: the canonical GGUF and what the import found and did.
 *
 * @param sourceName   file or directory name of the source
 * @param sourceSha256 SHA-256 of a source file, or of a directory's sorted per-file digests (the engine's rule)
 * @param tensors      the canonical GGUF's tensors, in file order
 * @param summary      e.g. "converted GGUF tiny.gguf: arch bitnet, 3 layers, 21 I2_S linear weights from TQ2_0, ..."
 */
public record NormalizedModel(Path canonicalGguf, String sourceName, String sourceSha256, List<TensorSummary> tensors,
                              String summary) {
    public NormalizedModel {
        tensors = List.copyOf(tensors);
    }
}

package io.tern.engine.importer;

import io.tern.engine.model.BitNetConfig;
import java.util.List;

/**
 * What an import wrote.
 *
 * @param sourceName   file or directory name of the source
 * @param sourceSha256 hex SHA-256 of the source (see {@link SourceDigest})
 * @param outBytes     size of the canonical GGUF
 */
public record ImportResult(BitNetConfig config, String sourceName, String sourceSha256, long outBytes,
                           List<TensorSummary> tensors) {
    public ImportResult {
        tensors = List.copyOf(tensors);
    }
}

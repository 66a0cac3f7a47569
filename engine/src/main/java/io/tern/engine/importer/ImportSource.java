package io.tern.engine.importer;

import io.tern.engine.model.BitNetConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** An opened model to import: checks its tensors while adding them to the canonical writer. */
interface ImportSource extends AutoCloseable {
    BitNetConfig config();

    /** "hf-safetensors" or "gguf". */
    String format();

    /** The files whose SHA-256 identifies the source. */
    List<Path> inputFiles();

    /** Bytes of source tensor data converted (for progress). */
    long tensorBytes();

    /** Adds metadata and every tensor; any missing or mis-shaped input is an ImportException before data is written. */
    void addTo(CanonicalWriter out) throws IOException;

    @Override
    void close();
}

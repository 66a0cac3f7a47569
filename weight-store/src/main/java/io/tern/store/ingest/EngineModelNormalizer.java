package io.tern.store.ingest;

import io.tern.engine.gguf.GgmlType;
import io.tern.engine.importer.ImportException;
import io.tern.engine.importer.ImportResult;
import io.tern.engine.importer.ModelImporter;
import io.tern.store.core.StorageErrors;
import io.tern.store.core.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Normalises through the engine's {@link ModelImporter}: a BitNet GGUF (I2_S, TQ1_0, TQ2_0, F16 or F32 weights, arch
 * {@code bitnet} or {@code bitnet-b1.58}) or a Hugging Face directory (config.json + safetensors, packed or bf16)
 * becomes one canonical GGUF: arch {@code bitnet}, I2_S linear weights, tokenizer and chat template embedded,
 * checked by a forward step. The importer's byte progress is reported as the phase "importing".
 */
public final class EngineModelNormalizer implements ModelNormalizer {
    static final String PHASE = "importing";

    @Override
    public NormalizedModel normalize(Path source, Path workDir, ImportProgress progress) throws IOException {
        Path out = workDir.resolve("canonical.gguf");
        ImportResult r;
        try {
            r = ModelImporter.importModel(source, out, (done, total) -> progress.report(PHASE, done, total));
        } catch (ImportException e) {
            if (StorageErrors.isDiskFull(e)) {
                throw e;
            }
            throw StoreException.invalid("cannot import " + source.getFileName() + ": " + e.getMessage());
        }
        return new NormalizedModel(out, r.sourceName(), r.sourceSha256(), r.tensors(), summary(source, r));
    }

    private static String summary(Path source, ImportResult r) {
        long ternary = r.tensors().stream().filter(t -> t.type() == GgmlType.I2_S).count();
        String kind = Files.isDirectory(source) ? "Hugging Face directory" : "GGUF";
        return "converted " + kind + " " + r.sourceName() + ": arch " + r.config().architecture() + ", "
                + r.config().layers() + " layers, " + r.tensors().size() + " tensors (" + ternary + " I2_S), "
                + "tokenizer embedded, verified by a forward step";
    }
}

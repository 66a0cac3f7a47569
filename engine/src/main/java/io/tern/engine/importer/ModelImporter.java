package io.tern.engine.importer;

import io.tern.engine.forward.ForwardPass;
import io.tern.engine.gguf.GgufFile;
import io.tern.engine.model.BitNetModel;
import io.tern.engine.model.ModelLoader;
import io.tern.engine.model.ModelOptions;
import io.tern.engine.safetensors.SafetensorsCheckpoint;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Imports a BitNet b1.58 model into the canonical GGUF the engine and the weight-store use: a Hugging Face directory
 * (packed or bf16 master weights) or a GGUF of arch {@code bitnet} / {@code bitnet-b1.58} (I2_S, TQ1_0, TQ2_0 or
 * float weights). The output is written under a temporary name, loaded and run for one step on BOS, and only then
 * moved to {@code outGguf}; on any failure nothing is left at the output path.
 */
public final class ModelImporter {
    private static final System.Logger LOG = System.getLogger(ModelImporter.class.getName());

    private ModelImporter() {
    }

    /** Imports with the weight_scale convention read from config.json (see {@link WeightScaleConvention}). */
    public static ImportResult importModel(Path source, Path outGguf, ImportProgress progress) throws IOException {
        return importModel(source, outGguf, WeightScaleConvention.FROM_CONFIG, progress);
    }

    public static ImportResult importModel(Path source, Path outGguf, WeightScaleConvention convention,
                                           ImportProgress progress) throws IOException {
        long t0 = System.nanoTime();
        Path staging = outGguf.resolveSibling(outGguf.getFileName() + ".importing");
        try (ImportSource src = open(source, convention)) {
            long hashBytes = SourceDigest.bytes(src.inputFiles());
            ProgressTracker tracker = new ProgressTracker(progress, hashBytes + src.tensorBytes());
            String sha256 = src.inputFiles().size() == 1 && Files.isRegularFile(source)
                    ? SourceDigest.ofFile(source, tracker)
                    : SourceDigest.ofFiles(src.inputFiles(), tracker);
            long tHashed = System.nanoTime();
            CanonicalWriter out = new CanonicalWriter(staging, tracker);
            out.provenance(src.format(), String.valueOf(source.getFileName()), sha256);
            src.addTo(out);
            out.write();
            long tWritten = System.nanoTime();
            verify(staging);
            long tVerified = System.nanoTime();
            Files.move(staging, outGguf, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tracker.finish();
            ImportResult result = new ImportResult(src.config(), String.valueOf(source.getFileName()), sha256,
                    Files.size(outGguf), out.summaries());
            LOG.log(System.Logger.Level.INFO, "imported {0} ({1}) into {2}: {3} tensors, {4} MB; hashed in {5} ms, "
                            + "converted in {6} ms, verified in {7} ms", source.getFileName(), src.format(),
                    outGguf.getFileName(), result.tensors().size(), result.outBytes() >> 20,
                    (tHashed - t0) / 1_000_000, (tWritten - tHashed) / 1_000_000, (tVerified - tWritten) / 1_000_000);
            return result;
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(staging);
            if (e instanceof ImportException || !(e instanceof IOException io)) {
                throw e;
            }
            throw new ImportException("import of " + source.getFileName() + " failed: " + io.getMessage(), io);
        }
    }

    private static ImportSource open(Path source, WeightScaleConvention convention) throws IOException {
        if (Files.isDirectory(source)) {
            if (!SafetensorsCheckpoint.isCheckpoint(source)) {
                throw new ImportException(source + " holds neither " + SafetensorsCheckpoint.SINGLE_FILE + " nor "
                        + SafetensorsCheckpoint.INDEX_FILE);
            }
            return HfCheckpointSource.open(source, convention);
        }
        if (!Files.isRegularFile(source)) {
            throw new ImportException(source + " does not exist");
        }
        if (!isGguf(source)) {
            throw new ImportException(source.getFileName() + " is not a GGUF file; pass a GGUF file or a Hugging Face "
                    + "model directory");
        }
        return GgufCheckpointSource.open(source);
    }

    private static boolean isGguf(Path file) throws IOException {
        byte[] magic = new byte[4];
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(magic, 0, 4) == 4 && magic[0] == 'G' && magic[1] == 'G' && magic[2] == 'U'
                    && magic[3] == 'F';
        }
    }

    /** Loads the written file on the int8 path and runs BOS through it; any failure or non-finite logit fails. */
    private static void verify(Path staging) throws ImportException {
        try (BitNetModel model = ModelLoader.load(GgufFile.open(staging), ModelOptions.defaults().withThreads(2))) {
            int bos = Math.max(0, model.file().metadata().getInt("tokenizer.ggml.bos_token_id", 0));
            ForwardPass pass = new ForwardPass(model, 1);
            float[] logits = pass.forward(new int[] {bos}, pass.newCache(1), false);
            for (int i = 0; i < logits.length; i++) {
                if (!Float.isFinite(logits[i])) {
                    throw new ImportException("the imported model gives logit " + logits[i] + " for token " + i
                            + " after BOS; refusing to keep it");
                }
            }
        } catch (ImportException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ImportException("the imported model failed to load and run: " + e.getMessage(), e);
        }
    }
}

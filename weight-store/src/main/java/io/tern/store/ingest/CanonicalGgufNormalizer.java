package io.tern.store.ingest;

import io.tern.engine.forward.ForwardPass;
import io.tern.engine.gguf.GgufFile;
import io.tern.engine.gguf.GgufFormatException;
import io.tern.engine.model.BitNetConfig;
import io.tern.engine.model.BitNetModel;
import io.tern.engine.model.GgufTokenizer;
import io.tern.engine.model.ModelLoader;
import io.tern.engine.model.ModelOptions;
import io.tern.engine.model.NumericPath;
import io.tern.store.core.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The first normaliser: accepts a BitNet GGUF that is already usable as it is (it parses, has a tokenizer, loads
 * with the engine and gives finite logits for one token) and keeps it byte for byte. Hugging Face directories and
 * float checkpoints need the engine's importer.
 */
public final class CanonicalGgufNormalizer implements ModelNormalizer {

    @Override
    public NormalizedModel normalize(Path source, Path workDir, ImportProgress progress) throws IOException {
        if (Files.isDirectory(source)) {
            throw StoreException.invalid(source.getFileName() + " is a directory: importing Hugging Face model"
                    + " directories needs the engine's ModelImporter, which this store does not have yet;"
                    + " import a BitNet GGUF file instead");
        }
        try (GgufFile file = open(source)) {
            BitNetConfig config = BitNetConfig.from(file.metadata());
            GgufTokenizer.load(file.metadata());
            String linearType = file.requireTensor("blk.0.attn_q.weight").type().toString();
            progress.report("verifying", 0, 1);
            verifyForwardStep(source, config);
            progress.report("verifying", 1, 1);
            return new NormalizedModel(source, "accepted as-is: arch " + config.architecture() + ", "
                    + config.layers() + " layers, linear weights " + linearType + ", verified by a forward step");
        } catch (GgufFormatException e) {
            throw StoreException.invalid("not a usable BitNet GGUF: " + e.getMessage());
        }
    }

    private static GgufFile open(Path source) throws IOException {
        try {
            return GgufFile.open(source);
        } catch (GgufFormatException e) {
            throw StoreException.invalid("not a valid GGUF file: " + e.getMessage());
        }
    }

    /** Loads the model on the float reference path and checks one token's logits are finite. */
    static void verifyForwardStep(Path gguf, BitNetConfig config) throws IOException {
        ModelOptions options = ModelOptions.defaults().withPath(NumericPath.FLOAT);
        try (BitNetModel model = ModelLoader.load(gguf, options)) {
            ForwardPass pass = new ForwardPass(model, 1);
            float[] logits = pass.forward(new int[] {0}, pass.newCache(8), false);
            if (logits.length != config.vocab()) {
                throw StoreException.invalid("forward step gave " + logits.length + " logits, expected " + config.vocab());
            }
            for (int i = 0; i < logits.length; i++) {
                if (!Float.isFinite(logits[i])) {
                    throw StoreException.invalid("forward step gave a non-finite logit " + logits[i] + " for token " + i
                            + ": the weights are broken");
                }
            }
        } catch (GgufFormatException e) {
            throw StoreException.invalid("the engine cannot load the model: " + e.getMessage());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw StoreException.invalid("the engine cannot run the model: " + e.getMessage());
        }
    }
}

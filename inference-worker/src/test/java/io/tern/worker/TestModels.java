package io.tern.worker;

import io.tern.engine.gguf.GgufFile;
import io.tern.engine.gguf.GgufTensorInfo;
import io.tern.engine.gguf.GgufWriter;
import io.tern.engine.model.BitNetModel;
import io.tern.engine.model.LayerRange;
import io.tern.engine.model.ModelLoader;
import io.tern.engine.model.ModelOptions;
import io.tern.engine.testmodel.BitNetShape;
import io.tern.engine.testmodel.TestModelGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Small generated models (and shards of them) written under target/ for the worker tests. */
final class TestModels {
    /** 4 layers, 256 wide, 8 / 2 heads (kv_dim 64), vocab 303, context 512. */
    static final BitNetShape SHAPE = new BitNetShape(BitNetShape.LLAMA_CPP_ARCH, 4, 256, 768, 8, 2, 303, 512,
            500000f, 1e-5f);
    static final Path DIR = Path.of("target", "worker-test");
    private static final Pattern BLOCK = Pattern.compile("blk\\.(\\d+)\\..*");

    private TestModels() {
    }

    /** The whole model (written once per JVM run). */
    static synchronized Path whole() {
        Path file = DIR.resolve("tiny-whole.gguf");
        if (!Files.exists(file)) {
            try {
                Files.createDirectories(DIR);
                new TestModelGenerator(SHAPE).seed(7).write(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file;
    }

    /**
     * A shard of the whole model as the store writes one: all metadata plus the layer range keys, the range's layer
     * tensors, the embedding in the first shard and in the last (tied head), the output norm in the last.
     */
    static synchronized Path shard(int start, int end) {
        Path file = DIR.resolve("tiny-shard-" + start + "-" + end + ".gguf");
        if (Files.exists(file)) {
            return file;
        }
        try (GgufFile whole = GgufFile.open(whole())) {
            int layers = SHAPE.nLayer();
            GgufWriter w = new GgufWriter(file).putAll(whole.metadata())
                    .putUint32(LayerRange.START_KEY, start)
                    .putUint32(LayerRange.END_KEY, end);
            for (GgufTensorInfo t : whole.tensors()) {
                if (holds(t.name(), start, end, layers)) {
                    w.copyTensor(whole, t);
                }
            }
            w.write();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private static boolean holds(String name, int start, int end, int layers) {
        Matcher m = BLOCK.matcher(name);
        if (m.matches()) {
            int layer = Integer.parseInt(m.group(1));
            return layer >= start && layer < end;
        }
        return switch (name) {
            case "token_embd.weight" -> start == 0 || end == layers;
            case "output_norm.weight", "output.weight" -> end == layers;
            default -> false;
        };
    }

    /** Loads a file the way the worker does by default (int8 path, auto kernel). */
    static BitNetModel load(Path file) {
        try {
            return ModelLoader.load(file, ModelOptions.defaults().withThreads(2));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

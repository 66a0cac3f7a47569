package io.tern.gateway.testworker;

import io.tern.engine.gguf.GgmlType;
import io.tern.engine.gguf.GgufFile;
import io.tern.engine.gguf.GgufTensorInfo;
import io.tern.engine.gguf.GgufWriter;
import io.tern.engine.model.LayerRange;
import io.tern.engine.testmodel.BitNetShape;
import io.tern.engine.testmodel.TestModelGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The test model (tiny BitNet shape, 3 layers, seeded random TQ2_0 weights, test vocabulary) and
 * its 2 shards, layers [0, 2) and [2, 3), written once per run under target/test-models. The
 * vocabulary is 17 tokens larger than the conformance model's: reserved control tokens, so that
 * sampled completions hold special tokens now and then.
 */
public final class TinyModels {

    public static final String MODEL = "tiny";
    public static final String VERSION = "v1";
    public static final int SPLIT = 2;

    static final BitNetShape SHAPE = withVocab(BitNetShape.tiny(), 320);

    private static final Path DIR = Path.of("target", "test-models");
    private static boolean written;

    private TinyModels() {
    }

    public static Path full() {
        ensure();
        return DIR.resolve("tiny.gguf");
    }

    public static Path shard(int index) {
        ensure();
        return DIR.resolve("tiny.shard" + index + ".gguf");
    }

    private static synchronized void ensure() {
        if (written) {
            return;
        }
        try {
            Files.createDirectories(DIR);
            Path full = DIR.resolve("tiny.gguf");
            new TestModelGenerator(SHAPE).weightType(GgmlType.TQ2_0).seed(7).write(full);
            int layers = SHAPE.nLayer();
            writeShard(full, DIR.resolve("tiny.shard0.gguf"), 0, SPLIT, layers);
            writeShard(full, DIR.resolve("tiny.shard1.gguf"), SPLIT, layers, layers);
            written = true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the test model", e);
        }
    }

    private static BitNetShape withVocab(BitNetShape s, int vocab) {
        return new BitNetShape(s.arch(), s.nLayer(), s.nEmbd(), s.nFf(), s.nHead(), s.nHeadKv(), vocab,
                s.contextLength(), s.ropeTheta(), s.rmsEps());
    }

    /** Metadata + range keys + the range's blk.N.*; token_embd with the first and the last shard (tied head). */
    static void writeShard(Path full, Path out, int start, int end, int layers) throws IOException {
        try (GgufFile src = GgufFile.open(full)) {
            GgufWriter w = new GgufWriter(out).putAll(src.metadata())
                    .putUint32(LayerRange.START_KEY, start)
                    .putUint32(LayerRange.END_KEY, end);
            for (GgufTensorInfo t : src.tensors()) {
                String n = t.name();
                boolean keep;
                if (n.startsWith("blk.")) {
                    int layer = Integer.parseInt(n.substring(4, n.indexOf('.', 4)));
                    keep = layer >= start && layer < end;
                } else if (n.startsWith("token_embd.")) {
                    keep = start == 0 || end == layers;
                } else if (n.startsWith("output")) {
                    keep = end == layers;
                } else {
                    keep = false;
                }
                if (keep) {
                    w.copyTensor(src, t);
                }
            }
            w.write();
        }
    }
}

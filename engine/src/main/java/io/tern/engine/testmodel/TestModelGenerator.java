package io.tern.engine.testmodel;

import io.tern.engine.gguf.GgmlType;
import io.tern.engine.gguf.GgufArray;
import io.tern.engine.gguf.GgufWriter;
import io.tern.engine.quant.TensorCodec;
import io.tern.engine.quant.TernaryCodec;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.LongStream;

/**
 * Writes BitNet b1.58 GGUF models with seeded random ternary weights, tensor for tensor like the conformance model:
 * {@code token_embd} F16 (tied lm_head), {@code output_norm} F32, per layer the norms in F32 and the seven linear
 * weights (ggml dims [in, out]) as scale × T in TQ1_0, TQ2_0 or I2_S, or dequantised in F32 / F16. The same seed
 * gives the same weights whatever the type. Tensor data is streamed, so the 2B4T shape (~1.2 GB) fits any heap.
 *
 * <p>{@code java ... TestModelGenerator --out f.gguf --type tq2_0 --shape tiny|2b4t --seed 1
 * [--arch bitnet|bitnet-b1.58] [--separate-output] [--scale-tensors]}
 */
public final class TestModelGenerator {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final BitNetShape shape;
    private GgmlType weightType = GgmlType.TQ2_0;
    private long seed = 1;
    private boolean separateOutput;
    private boolean scaleTensors;

    public TestModelGenerator(BitNetShape shape) {
        this.shape = shape;
    }

    /** TQ1_0, TQ2_0, I2_S, or F32 / F16 for dequantised weights. */
    public TestModelGenerator weightType(GgmlType type) {
        switch (type) {
            case TQ1_0, TQ2_0, I2_S, F32, F16 -> this.weightType = type;
            default -> throw new IllegalArgumentException("weight type " + type + " is not TQ1_0, TQ2_0, I2_S, F32 or F16");
        }
        return this;
    }

    public TestModelGenerator seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** Also write an untied {@code output.weight} (F16, [n_embd, vocab]). */
    public TestModelGenerator separateOutput(boolean on) {
        this.separateOutput = on;
        return this;
    }

    /**
     * Store each linear weight's scale as a separate F32 tensor {@code <name minus .weight>.scale} of dims [1]
     * (e.g. {@code blk.0.attn_q.scale}), with the weight itself holding T (block / tensor scale 1).
     */
    public TestModelGenerator scaleTensors(boolean on) {
        this.scaleTensors = on;
        return this;
    }

    /** llama.cpp's LLAMA_FTYPE for the weight type (I2_S: bitnet.cpp's 40). */
    static int fileType(GgmlType t) {
        return switch (t) {
            case F32 -> 0;
            case F16 -> 1;
            case TQ1_0 -> 36;
            case TQ2_0 -> 37;
            case I2_S -> 40;
            default -> throw new IllegalArgumentException(t.toString());
        };
    }

    public void write(Path out) throws IOException {
        BitNetShape s = shape;
        String a = s.arch() + ".";
        TestVocab vocab = TestVocab.of(s.vocab());
        GgufWriter w = new GgufWriter(out)
                .putString("general.architecture", s.arch())
                .putString("general.name", "tern-test-" + s.arch() + "-" + s.nLayer() + "x" + s.nEmbd())
                .putUint32("general.alignment", 32)
                .putUint32("general.file_type", fileType(weightType))
                .putUint32(a + "vocab_size", s.vocab())
                .putUint32(a + "context_length", s.contextLength())
                .putUint32(a + "embedding_length", s.nEmbd())
                .putUint32(a + "block_count", s.nLayer())
                .putUint32(a + "feed_forward_length", s.nFf())
                .putUint32(a + "rope.dimension_count", s.headDim())
                .putUint32(a + "attention.head_count", s.nHead())
                .putUint32(a + "attention.head_count_kv", s.nHeadKv())
                .putFloat32(a + "attention.layer_norm_rms_epsilon", s.rmsEps())
                .putFloat32(a + "rope.freq_base", s.ropeTheta())
                .putString("tokenizer.ggml.model", "gpt2")
                .putString("tokenizer.ggml.pre", "llama-bpe")
                .putStrings("tokenizer.ggml.tokens", vocab.tokens())
                .putArray("tokenizer.ggml.token_type", GgufArray.ofInt32(vocab.types()))
                .putStrings("tokenizer.ggml.merges", vocab.merges())
                .putUint32("tokenizer.ggml.bos_token_id", vocab.bos())
                .putUint32("tokenizer.ggml.eos_token_id", vocab.eos())
                .putUint32("tokenizer.ggml.eot_token_id", vocab.eot())
                .putBool("tokenizer.ggml.add_bos_token", true)
                .putUint64("tern.test_model.seed", seed);

        RandomWeights rw = new RandomWeights(seed);
        addF16(w, rw, "token_embd.weight", s.nEmbd(), s.vocab());
        addNorm(w, rw, "output_norm.weight", s.nEmbd());
        if (separateOutput) {
            addF16(w, rw, "output.weight", s.nEmbd(), s.vocab());
        }
        for (int l = 0; l < s.nLayer(); l++) {
            String p = "blk." + l + ".";
            addNorm(w, rw, p + "attn_norm.weight", s.nEmbd());
            addLinear(w, rw, p + "attn_q", s.nEmbd(), s.nEmbd());
            addLinear(w, rw, p + "attn_k", s.nEmbd(), s.kvDim());
            addLinear(w, rw, p + "attn_v", s.nEmbd(), s.kvDim());
            addNorm(w, rw, p + "attn_sub_norm.weight", s.nEmbd());
            addLinear(w, rw, p + "attn_output", s.nEmbd(), s.nEmbd());
            addNorm(w, rw, p + "ffn_norm.weight", s.nEmbd());
            addLinear(w, rw, p + "ffn_gate", s.nEmbd(), s.nFf());
            addLinear(w, rw, p + "ffn_up", s.nEmbd(), s.nFf());
            addNorm(w, rw, p + "ffn_sub_norm.weight", s.nFf());
            addLinear(w, rw, p + "ffn_down", s.nFf(), s.nEmbd());
        }
        w.write();
    }

    private static void addNorm(GgufWriter w, RandomWeights rw, String name, int n) {
        w.addTensor(name, GgmlType.F32, new long[] {n}, dst -> rw.norm(name, dst, n));
    }

    // (rows = out, cols = in) stored as ggml dims [cols, rows]
    private static void addF16(GgufWriter w, RandomWeights rw, String name, int cols, int rows) {
        long total = (long) cols * rows;
        w.addTensor(name, GgmlType.F16, new long[] {cols, rows}, dst -> chunks(total).forEach(c -> {
            long first = c * RandomWeights.CHUNK;
            rw.f16Chunk(name, c, dst, 2 * first, (int) Math.min(RandomWeights.CHUNK, total - first));
        }));
    }

    private void addLinear(GgufWriter w, RandomWeights rw, String base, int in, int out) {
        String name = base + ".weight";
        long total = (long) in * out;
        float scale = rw.scale(name, in);
        float stored = scaleTensors ? 1f : scale;
        GgmlType type = weightType;
        w.addTensor(name, type, new long[] {in, out}, dst -> chunks(total).forEach(c -> {
            long first = c * RandomWeights.CHUNK;
            int n = (int) Math.min(RandomWeights.CHUNK, total - first);
            byte[] codes = new byte[n];
            rw.codes(name, c, codes, n);
            if (type == GgmlType.F32 || type == GgmlType.F16) {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    f[i] = codes[i] * stored;
                }
                int width = type == GgmlType.F32 ? 4 : 2;
                TensorCodec.of(type).encode(f, 0, n, dst.asSlice(first * width, (long) n * width));
            } else {
                TernaryCodec codec = TensorCodec.ternary(type);
                codec.encodeTernary(codes, 0, total, first, n, stored, dst);
            }
        }));
        if (scaleTensors) {
            w.addTensor(base + ".scale", GgmlType.F32, new long[] {1}, dst -> dst.set(F32, 0, scale));
        }
    }

    private static LongStream chunks(long total) {
        return LongStream.range(0, (total + RandomWeights.CHUNK - 1) / RandomWeights.CHUNK).parallel();
    }

    public static void main(String[] args) throws IOException {
        Path out = null;
        GgmlType type = GgmlType.TQ2_0;
        BitNetShape shape = BitNetShape.tiny();
        String arch = null;
        long seed = 1;
        boolean separate = false;
        boolean scales = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--type" -> type = GgmlType.valueOf(args[++i].toUpperCase(Locale.ROOT));
                case "--shape" -> shape = switch (args[++i]) {
                    case "tiny" -> BitNetShape.tiny();
                    case "2b4t" -> BitNetShape.b2b4t();
                    default -> throw new IllegalArgumentException("--shape is tiny or 2b4t, not " + args[i]);
                };
                case "--arch" -> arch = args[++i];
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--separate-output" -> separate = true;
                case "--scale-tensors" -> scales = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; usage: --out f.gguf"
                        + " --type tq1_0|tq2_0|i2_s|f32|f16 --shape tiny|2b4t --seed N [--arch bitnet|bitnet-b1.58]"
                        + " [--separate-output] [--scale-tensors]");
            }
        }
        if (out == null) {
            throw new IllegalArgumentException("--out is required");
        }
        if (arch != null) {
            shape = shape.withArch(arch);
        }
        long t0 = System.nanoTime();
        new TestModelGenerator(shape).weightType(type).seed(seed).separateOutput(separate).scaleTensors(scales)
                .write(out);
        System.out.printf(Locale.ROOT, "wrote %s (%s, %s, seed %d) in %.1f s%n", out, shape.arch(), type, seed,
                (System.nanoTime() - t0) / 1e9);
    }
}

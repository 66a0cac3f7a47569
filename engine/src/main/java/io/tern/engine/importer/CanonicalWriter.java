package io.tern.engine.importer;

import io.tern.engine.gguf.GgmlType;
import io.tern.engine.gguf.GgufWriter;
import io.tern.engine.model.BitNetConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the canonical GGUF: arch {@code bitnet} with llama.cpp's key names, linear weights I2_S (one exact
 * per-tensor scale), norms F32, token embedding (and an untied output) F16. Tensor names and order follow the
 * conformance model: token_embd, output_norm, [output], then blk.N.{attn_norm, attn_q, attn_k, attn_v,
 * attn_sub_norm, attn_output, ffn_norm, ffn_gate, ffn_up, ffn_sub_norm, ffn_down}.
 */
final class CanonicalWriter {
    static final String ARCH = "bitnet";
    /** bitnet.cpp's LLAMA_FTYPE for I2_S models. */
    static final int FILE_TYPE_I2_S = 40;
    static final String SOURCE_FILE_KEY = "tern.source.file";
    static final String SOURCE_SHA256_KEY = "tern.source.sha256";
    static final String SOURCE_FORMAT_KEY = "tern.source.format";
    static final String FFN_ACTIVATION_KEY = "tern.ffn_activation";

    private final GgufWriter gguf;
    private final ProgressTracker progress;
    private final List<TensorSummary> summaries = new ArrayList<>();

    CanonicalWriter(Path staging, ProgressTracker progress) {
        this.gguf = new GgufWriter(staging);
        this.progress = progress;
    }

    GgufWriter gguf() {
        return gguf;
    }

    /** The hyper-parameter keys {@link BitNetConfig#from} reads, under {@code bitnet.}. */
    void hyperParameters(BitNetConfig c, String name) {
        String p = ARCH + ".";
        gguf.putString("general.architecture", ARCH)
                .putString("general.name", name)
                .putUint32("general.alignment", 32)
                .putUint32("general.file_type", FILE_TYPE_I2_S)
                .putUint32(p + "vocab_size", c.vocab())
                .putUint32(p + "context_length", c.contextLength())
                .putUint32(p + "embedding_length", c.dim())
                .putUint32(p + "block_count", c.layers())
                .putUint32(p + "feed_forward_length", c.ffnDim())
                .putUint32(p + "rope.dimension_count", c.ropeDim())
                .putUint32(p + "attention.head_count", c.heads())
                .putUint32(p + "attention.head_count_kv", c.kvHeads())
                .putFloat32(p + "attention.layer_norm_rms_epsilon", c.rmsEps())
                .putFloat32(p + "rope.freq_base", c.ropeTheta());
    }

    void provenance(String format, String file, String sha256) {
        gguf.putString(SOURCE_FORMAT_KEY, format).putString(SOURCE_FILE_KEY, file).putString(SOURCE_SHA256_KEY, sha256);
    }

    /** A linear weight (rows = out, cols = in) as I2_S, ggml dims [cols, rows]. */
    void linear(String name, TernaryWeight w) throws ImportException {
        I2sEncoder.check(name, w);
        int index = reserve(name, GgmlType.I2_S, new long[] {w.cols(), w.rows()}, w.source());
        gguf.addTensor(name, GgmlType.I2_S, new long[] {w.cols(), w.rows()}, dst -> {
            float scale = I2sEncoder.encode(w, dst, progress::advance);
            summaries.set(index, new TensorSummary(name, GgmlType.I2_S, new long[] {w.cols(), w.rows()}, scale,
                    w.source()));
        });
    }

    /** A float tensor converted to F32 (norms) or F16 (embedding, output); dims in ggml order. */
    void floats(String name, GgmlType type, long[] dims, FloatSource src) {
        reserve(name, type, dims, src.name());
        gguf.addTensor(name, type, dims, dst -> {
            src.writeAs(type, dst);
            progress.advance(src.data().byteSize());
        });
    }

    private int reserve(String name, GgmlType type, long[] dims, String source) {
        summaries.add(new TensorSummary(name, type, dims, Float.NaN, source));
        return summaries.size() - 1;
    }

    List<TensorSummary> summaries() {
        return List.copyOf(summaries);
    }

    void write() throws IOException {
        gguf.write();
    }
}

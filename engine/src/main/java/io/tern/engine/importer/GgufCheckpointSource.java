package io.tern.engine.importer;

import io.tern.engine.gguf.GgmlType;
import io.tern.engine.gguf.GgufFile;
import io.tern.engine.gguf.GgufFormatException;
import io.tern.engine.gguf.GgufMetadata;
import io.tern.engine.gguf.GgufTensorInfo;
import io.tern.engine.model.BitNetConfig;
import io.tern.engine.model.LayerRange;
import io.tern.engine.quant.TensorCodec;
import io.tern.engine.quant.TernaryCodec;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A BitNet GGUF (arch {@code bitnet} or bitnet.cpp's {@code bitnet-b1.58}) with linear weights in I2_S, TQ1_0,
 * TQ2_0 or a float type. Keys under {@code bitnet-b1.58.} move to {@code bitnet.}; tokenizer and other keys are
 * carried over; per-tensor {@code <name>.scale} tensors are folded into the I2_S scale.
 */
final class GgufCheckpointSource implements ImportSource {
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final GgufFile file;
    private final BitNetConfig config;

    private GgufCheckpointSource(Path path, GgufFile file, BitNetConfig config) {
        this.path = path;
        this.file = file;
        this.config = config;
    }

    static GgufCheckpointSource open(Path path) throws IOException {
        GgufFile file;
        try {
            file = GgufFile.open(path);
        } catch (IOException e) {
            throw new ImportException("cannot read " + path.getFileName() + ": " + e.getMessage(), e);
        }
        try {
            GgufMetadata md = file.metadata();
            if (md.has(LayerRange.START_KEY) || md.has(LayerRange.END_KEY)) {
                throw new ImportException(path.getFileName() + " is a shard (has " + LayerRange.START_KEY
                        + "); import the whole model");
            }
            BitNetConfig c = BitNetConfig.from(md);
            return new GgufCheckpointSource(path, file, c);
        } catch (GgufFormatException e) {
            file.close();
            throw new ImportException(path.getFileName() + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    @Override
    public BitNetConfig config() {
        return new BitNetConfig(CanonicalWriter.ARCH, config.layers(), config.dim(), config.ffnDim(), config.heads(),
                config.kvHeads(), config.headDim(), config.ropeDim(), config.vocab(), config.contextLength(),
                config.ropeTheta(), config.rmsEps());
    }

    @Override
    public String format() {
        return "gguf";
    }

    @Override
    public List<Path> inputFiles() {
        return List.of(path);
    }

    @Override
    public long tensorBytes() {
        long n = 0;
        for (GgufTensorInfo t : file.tensors()) {
            n += t.byteSize();
        }
        return n;
    }

    @Override
    public void addTo(CanonicalWriter out) throws IOException {
        BitNetConfig c = config();
        copyMetadata(out);
        out.hyperParameters(c, file.metadata().getString("general.name").orElse(String.valueOf(path.getFileName())));

        out.floats("token_embd.weight", GgmlType.F16, new long[] {c.dim(), c.vocab()},
                floats("token_embd.weight", c.dim(), c.vocab()));
        out.floats("output_norm.weight", GgmlType.F32, new long[] {c.dim()}, floats("output_norm.weight", c.dim()));
        if (file.tensor("output.weight").isPresent()) {
            out.floats("output.weight", GgmlType.F16, new long[] {c.dim(), c.vocab()},
                    floats("output.weight", c.dim(), c.vocab()));
        }
        for (int l = 0; l < c.layers(); l++) {
            String p = "blk." + l + ".";
            norm(out, p + "attn_norm.weight", c.dim());
            out.linear(p + "attn_q.weight", linear(p + "attn_q", c.dim(), c.dim()));
            out.linear(p + "attn_k.weight", linear(p + "attn_k", c.kvDim(), c.dim()));
            out.linear(p + "attn_v.weight", linear(p + "attn_v", c.kvDim(), c.dim()));
            norm(out, p + "attn_sub_norm.weight", c.dim());
            out.linear(p + "attn_output.weight", linear(p + "attn_output", c.dim(), c.dim()));
            norm(out, p + "ffn_norm.weight", c.dim());
            out.linear(p + "ffn_gate.weight", linear(p + "ffn_gate", c.ffnDim(), c.dim()));
            out.linear(p + "ffn_up.weight", linear(p + "ffn_up", c.ffnDim(), c.dim()));
            norm(out, p + "ffn_sub_norm.weight", c.ffnDim());
            out.linear(p + "ffn_down.weight", linear(p + "ffn_down", c.dim(), c.ffnDim()));
        }
    }

    private void norm(CanonicalWriter out, String name, int n) throws ImportException {
        out.floats(name, GgmlType.F32, new long[] {n}, floats(name, n));
    }

    /** Every key except those the canonical writer sets, with bitnet.cpp's arch prefix renamed. */
    private void copyMetadata(CanonicalWriter out) {
        GgufMetadata md = file.metadata();
        String prefix = config.architecture() + ".";
        for (String k : md.keys()) {
            if (k.startsWith("general.") || k.startsWith("tern.source.")) {
                continue;
            }
            String key = k.startsWith(prefix) ? CanonicalWriter.ARCH + "." + k.substring(prefix.length()) : k;
            out.gguf().put(key, md.typeOf(k), md.get(k));
        }
    }

    private FloatSource floats(String name, long... dims) throws ImportException {
        GgufTensorInfo t = require(name, dims);
        return FloatSource.of(file.data(t), t.type(), t.elements(), name);
    }

    private TernaryWeight linear(String base, int rows, int cols) throws ImportException {
        String name = base + ".weight";
        GgufTensorInfo t = require(name, cols, rows);
        float extra = extraScale(base);
        TensorCodec codec;
        try {
            codec = TensorCodec.of(t.type());
        } catch (IllegalArgumentException e) {
            throw new ImportException("tensor '" + name + "' has type " + t.type() + ", which cannot be imported");
        }
        if (codec instanceof TernaryCodec tc) {
            return new GgufTernaryWeight(file.data(t), tc, rows, cols, extra, name);
        }
        return new GgufFloatWeight(new FloatSource(file.data(t), codec, t.elements(), name), rows, cols, extra);
    }

    private float extraScale(String base) throws ImportException {
        Optional<GgufTensorInfo> s = file.tensor(base + ".scale");
        if (s.isEmpty()) {
            return 1f;
        }
        GgufTensorInfo t = s.get();
        if (t.type() != GgmlType.F32 || t.elements() != 1) {
            throw new ImportException("scale tensor '" + t.name() + "' must be one F32 value, is " + t.type() + " "
                    + Arrays.toString(t.dims()));
        }
        return file.data(t).get(F32_LE, 0);
    }

    private GgufTensorInfo require(String name, long... dims) throws ImportException {
        GgufTensorInfo t = file.tensor(name).orElseThrow(() -> new ImportException("missing tensor '" + name
                + "' in " + path.getFileName()));
        if (!Arrays.equals(t.dims(), dims)) {
            throw new ImportException("tensor '" + name + "' has shape " + Arrays.toString(t.dims()) + ", expected "
                    + Arrays.toString(dims) + " from the file's hyper-parameters");
        }
        return t;
    }

    @Override
    public void close() {
        file.close();
    }
}

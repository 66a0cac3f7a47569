package io.tern.engine.importer;

import io.tern.engine.gguf.GgmlType;
import io.tern.engine.model.BitNetConfig;
import io.tern.engine.safetensors.SafetensorsCheckpoint;
import io.tern.engine.safetensors.SafetensorsDtype;
import io.tern.engine.safetensors.SafetensorsTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Hugging Face BitNet b1.58 directory (config.json, model.safetensors or a sharded index, tokenizer.json,
 * tokenizer_config.json). Names follow transformers' modeling_bitnet: model.embed_tokens, model.layers.N.
 * {input_layernorm, self_attn.{q,k,v,o}_proj, self_attn.attn_sub_norm, post_attention_layernorm,
 * mlp.{gate,up,down}_proj, mlp.ffn_sub_norm}, model.norm, lm_head (untied only). A linear weight is either packed
 * uint8 (out/4, in) with a {@code weight_scale} beside it, or a float master weight (out, in) ternarised by absmean.
 *
 * <p>q and k are used as they are: transformers' BitNet applies RoPE with rotate_half (pairs i, i + d/2), which is
 * our NEOX-style Rope, so no LLaMA-style permutation is needed (bitnet.cpp's BitnetModel converter does none either).
 */
final class HfCheckpointSource implements ImportSource {
    private final Path dir;
    private final HfConfig hf;
    private final WeightScaleConvention convention;
    private final SafetensorsCheckpoint checkpoint;

    private HfCheckpointSource(Path dir, HfConfig hf, WeightScaleConvention convention, SafetensorsCheckpoint cp) {
        this.dir = dir;
        this.hf = hf;
        this.convention = convention;
        this.checkpoint = cp;
    }

    static HfCheckpointSource open(Path dir, WeightScaleConvention requested) throws IOException {
        HfConfig hf = HfConfig.read(dir);
        SafetensorsCheckpoint cp;
        try {
            cp = SafetensorsCheckpoint.open(dir);
        } catch (IOException e) {
            throw new ImportException("cannot read the checkpoint in " + dir + ": " + e.getMessage(), e);
        }
        return new HfCheckpointSource(dir, hf, hf.resolve(requested), cp);
    }

    @Override
    public BitNetConfig config() {
        return hf.model();
    }

    @Override
    public String format() {
        return "hf-safetensors";
    }

    @Override
    public List<Path> inputFiles() {
        List<Path> files = new ArrayList<>(checkpoint.files());
        for (String name : List.of(HfConfig.FILE, HfTokenizerKeys.TOKENIZER, HfTokenizerKeys.TOKENIZER_CONFIG,
                SafetensorsCheckpoint.INDEX_FILE)) {
            if (Files.isRegularFile(dir.resolve(name))) {
                files.add(dir.resolve(name));
            }
        }
        return files;
    }

    @Override
    public long tensorBytes() {
        return checkpoint.tensorBytes();
    }

    @Override
    public void addTo(CanonicalWriter out) throws IOException {
        BitNetConfig c = hf.model();
        out.hyperParameters(c, String.valueOf(dir.getFileName()));
        out.gguf().putString(CanonicalWriter.FFN_ACTIVATION_KEY, hf.hiddenAct());
        HfTokenizerKeys.write(dir, c.vocab(), out.gguf());

        out.floats("token_embd.weight", GgmlType.F16, new long[] {c.dim(), c.vocab()},
                floats("model.embed_tokens.weight", c.vocab(), c.dim()));
        out.floats("output_norm.weight", GgmlType.F32, new long[] {c.dim()}, floats("model.norm.weight", c.dim()));
        if (!hf.tied()) {
            out.floats("output.weight", GgmlType.F16, new long[] {c.dim(), c.vocab()},
                    floats("lm_head.weight", c.vocab(), c.dim()));
        }
        for (int l = 0; l < c.layers(); l++) {
            String hfp = "model.layers." + l + ".";
            String p = "blk." + l + ".";
            out.floats(p + "attn_norm.weight", GgmlType.F32, new long[] {c.dim()},
                    floats(hfp + "input_layernorm.weight", c.dim()));
            out.linear(p + "attn_q.weight", linear(hfp + "self_attn.q_proj", c.dim(), c.dim()));
            out.linear(p + "attn_k.weight", linear(hfp + "self_attn.k_proj", c.kvDim(), c.dim()));
            out.linear(p + "attn_v.weight", linear(hfp + "self_attn.v_proj", c.kvDim(), c.dim()));
            out.floats(p + "attn_sub_norm.weight", GgmlType.F32, new long[] {c.dim()},
                    floats(hfp + "self_attn.attn_sub_norm.weight", c.dim()));
            out.linear(p + "attn_output.weight", linear(hfp + "self_attn.o_proj", c.dim(), c.dim()));
            out.floats(p + "ffn_norm.weight", GgmlType.F32, new long[] {c.dim()},
                    floats(hfp + "post_attention_layernorm.weight", c.dim()));
            out.linear(p + "ffn_gate.weight", linear(hfp + "mlp.gate_proj", c.ffnDim(), c.dim()));
            out.linear(p + "ffn_up.weight", linear(hfp + "mlp.up_proj", c.ffnDim(), c.dim()));
            out.floats(p + "ffn_sub_norm.weight", GgmlType.F32, new long[] {c.ffnDim()},
                    floats(hfp + "mlp.ffn_sub_norm.weight", c.ffnDim()));
            out.linear(p + "ffn_down.weight", linear(hfp + "mlp.down_proj", c.dim(), c.ffnDim()));
        }
    }

    private SafetensorsTensor require(String name) throws ImportException {
        return checkpoint.tensor(name).orElseThrow(() -> new ImportException("missing tensor '" + name
                + "' in the checkpoint in " + dir));
    }

    private FloatSource floats(String name, long... shape) throws ImportException {
        SafetensorsTensor t = require(name);
        checkShape(t, shape);
        return FloatSource.of(checkpoint.data(t), t.dtype(), t.elements(), name);
    }

    /** A linear layer of (rows = out, cols = in); base is the name without ".weight". */
    private TernaryWeight linear(String base, int rows, int cols) throws ImportException {
        String name = base + ".weight";
        SafetensorsTensor t = require(name);
        if (t.dtype() == SafetensorsDtype.U8 || t.dtype() == SafetensorsDtype.I8) {
            if (rows % 4 != 0) {
                throw new ImportException("tensor '" + name + "' is packed but its " + rows
                        + " output rows are not a multiple of 4");
            }
            checkShape(t, rows / 4, cols);
            String scaleName = base + ".weight_scale";
            SafetensorsTensor s = checkpoint.tensor(scaleName).orElseThrow(() -> new ImportException(
                    "packed tensor '" + name + "' has no '" + scaleName + "'"));
            if (s.elements() != 1) {
                throw new ImportException("tensor '" + scaleName + "' has shape " + Arrays.toString(s.shape())
                        + "; one value per tensor is expected");
            }
            float[] v = new float[1];
            FloatSource.of(checkpoint.data(s), s.dtype(), 1, scaleName).read(0, v, 1);
            if (!Float.isFinite(v[0]) || v[0] <= 0) {
                throw new ImportException("tensor '" + scaleName + "' is " + v[0] + "; a positive scale is needed");
            }
            return new PackedHfWeight(checkpoint.data(t), rows, cols, convention.dequantScale(v[0]), name);
        }
        checkShape(t, rows, cols);
        return new MasterHfWeight(FloatSource.of(checkpoint.data(t), t.dtype(), t.elements(), name), rows, cols);
    }

    private static void checkShape(SafetensorsTensor t, long... shape) throws ImportException {
        if (!Arrays.equals(t.shape(), shape)) {
            throw new ImportException("tensor '" + t.name() + "' has shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(shape) + " from config.json");
        }
    }

    @Override
    public void close() {
        checkpoint.close();
    }
}

package io.tern.engine.testmodel;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tern.engine.gguf.GgmlType;
import io.tern.engine.gguf.GgufFile;
import io.tern.engine.gguf.GgufMetadata;
import io.tern.engine.gguf.GgufTensorInfo;
import io.tern.engine.model.BitNetConfig;
import io.tern.engine.quant.Absmean;
import io.tern.engine.quant.TensorCodec;
import io.tern.engine.safetensors.SafetensorsDtype;
import io.tern.engine.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test data for importers: writes a Hugging Face style BitNet directory (config.json, safetensors, tokenizer.json, tokenizer_config.json) with
 * the weights of a GGUF written by TestModelGenerator, so one seed gives one model in every format.
 *
 * <ul>
 *   <li>{@link Layout#PACKED}: uint8 (out/4, in) codes of the GGUF's ternary weights and an F32 weight_scale,
 *   s (autobitlinear) or 1/s (bitlinear).</li>
 *   <li>{@link Layout#MASTER}: bf16 master weights W = T·s·c with c alternating 1.5 and 2.5, whose absmean
 *   ternarisation gives back T (with a scale near, not equal to, s).</li>
 *   <li>{@link Layout#PACKED_FROM_MASTER}: PACKED with the codes and absmean scale of MASTER's bf16 weights.</li>
 * </ul>
 */
public final class HfTestModel {
    public enum Layout { PACKED, MASTER, PACKED_FROM_MASTER }

    public static final String LLAMA3_SPLIT_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    public static final String CHAT_TEMPLATE = "{% for m in messages %}<|start_header_id|>{{ m['role'] }}<|end_header_id|>"
            + "\n\n{{ m['content'] }}<|eot_id|>{% endfor %}";
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final Map<String, String> LINEARS = new LinkedHashMap<>();

    static {
        LINEARS.put("attn_q", "self_attn.q_proj");
        LINEARS.put("attn_k", "self_attn.k_proj");
        LINEARS.put("attn_v", "self_attn.v_proj");
        LINEARS.put("attn_output", "self_attn.o_proj");
        LINEARS.put("ffn_gate", "mlp.gate_proj");
        LINEARS.put("ffn_up", "mlp.up_proj");
        LINEARS.put("ffn_down", "mlp.down_proj");
    }

    private Layout layout = Layout.PACKED;
    private String linearClass = "autobitlinear";
    private boolean sharded;

    public HfTestModel layout(Layout l) {
        this.layout = l;
        return this;
    }

    /** "autobitlinear" (weight_scale = s), "bitlinear" (weight_scale = 1/s) or null (key absent: bitlinear). */
    public HfTestModel linearClass(String c) {
        this.linearClass = c;
        return this;
    }

    /** Two safetensors files and model.safetensors.index.json instead of one model.safetensors. */
    public HfTestModel sharded(boolean on) {
        this.sharded = on;
        return this;
    }

    public void write(Path ggufSource, Path dir) throws IOException {
        Files.createDirectories(dir);
        try (GgufFile g = GgufFile.open(ggufSource)) {
            BitNetConfig c = BitNetConfig.from(g.metadata());
            writeConfig(c, g.tensor("output.weight").isEmpty(), dir);
            writeTokenizer(g.metadata(), dir);
            List<SafetensorsWriter> files = new ArrayList<>();
            Map<String, String> weightMap = new LinkedHashMap<>();
            String[] names = sharded
                    ? new String[] {"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"}
                    : new String[] {"model.safetensors"};
            for (String n : names) {
                files.add(new SafetensorsWriter(dir.resolve(n)).metadata("format", "pt"));
            }
            int[] next = {0};
            TensorSink sink = (name, dtype, shape, body) -> {
                int f = sharded && name.startsWith("model.layers.") ? 1 : 0;
                files.get(f).add(name, dtype, shape, body);
                weightMap.put(name, names[f]);
                next[0]++;
            };
            copyFloats(g, "token_embd.weight", "model.embed_tokens.weight", SafetensorsDtype.F16,
                    new long[] {c.vocab(), c.dim()}, sink);
            copyFloats(g, "output_norm.weight", "model.norm.weight", SafetensorsDtype.F32, new long[] {c.dim()}, sink);
            if (g.tensor("output.weight").isPresent()) {
                copyFloats(g, "output.weight", "lm_head.weight", SafetensorsDtype.F16,
                        new long[] {c.vocab(), c.dim()}, sink);
            }
            for (int l = 0; l < c.layers(); l++) {
                String p = "blk." + l + ".";
                String h = "model.layers." + l + ".";
                copyFloats(g, p + "attn_norm.weight", h + "input_layernorm.weight", SafetensorsDtype.F32,
                        new long[] {c.dim()}, sink);
                copyFloats(g, p + "attn_sub_norm.weight", h + "self_attn.attn_sub_norm.weight", SafetensorsDtype.F32,
                        new long[] {c.dim()}, sink);
                copyFloats(g, p + "ffn_norm.weight", h + "post_attention_layernorm.weight", SafetensorsDtype.F32,
                        new long[] {c.dim()}, sink);
                copyFloats(g, p + "ffn_sub_norm.weight", h + "mlp.ffn_sub_norm.weight", SafetensorsDtype.F32,
                        new long[] {c.ffnDim()}, sink);
                for (Map.Entry<String, String> e : LINEARS.entrySet()) {
                    linear(g, p + e.getKey(), h + e.getValue(), sink);
                }
            }
            for (SafetensorsWriter f : files) {
                f.write();
            }
            if (sharded) {
                ObjectNode index = new ObjectMapper().createObjectNode();
                index.putObject("metadata").put("total_size", 0);
                ObjectNode map = index.putObject("weight_map");
                weightMap.forEach(map::put);
                Files.writeString(dir.resolve("model.safetensors.index.json"), index.toPrettyString());
            }
        }
    }

    @FunctionalInterface
    private interface TensorSink {
        void add(String name, SafetensorsDtype dtype, long[] shape, SafetensorsWriter.TensorBody body);
    }

    private void writeConfig(BitNetConfig c, boolean tied, Path dir) throws IOException {
        ObjectNode cfg = new ObjectMapper().createObjectNode();
        cfg.putArray("architectures").add("BitNetForCausalLM");
        cfg.put("model_type", "bitnet").put("hidden_act", "relu2")
                .put("hidden_size", c.dim()).put("intermediate_size", c.ffnDim())
                .put("num_hidden_layers", c.layers()).put("num_attention_heads", c.heads())
                .put("num_key_value_heads", c.kvHeads()).put("vocab_size", c.vocab())
                .put("max_position_embeddings", c.contextLength()).put("rope_theta", (double) c.ropeTheta())
                .put("rms_norm_eps", (double) c.rmsEps()).put("tie_word_embeddings", tied)
                .put("torch_dtype", "bfloat16");
        if (layout != Layout.MASTER) {
            ObjectNode q = cfg.putObject("quantization_config").put("quant_method", "bitnet")
                    .put("quantization_mode", "offline");
            if (linearClass != null) {
                q.put("linear_class", linearClass);
            }
        }
        Files.writeString(dir.resolve("config.json"), cfg.toPrettyString());
    }

    /** A byte-level BPE tokenizer.json with the LLaMA-3 pre-tokenizer, from the GGUF's vocabulary. */
    public static void writeTokenizer(GgufMetadata md, Path dir) throws IOException {
        ObjectMapper m = new ObjectMapper();
        List<String> tokens = md.getStringArray("tokenizer.ggml.tokens");
        int[] types = md.getIntArray("tokenizer.ggml.token_type");
        ObjectNode root = m.createObjectNode().put("version", "1.0");
        ArrayNode added = root.putArray("added_tokens");
        ObjectNode model = m.createObjectNode().put("type", "BPE").put("ignore_merges", true);
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < tokens.size(); id++) {
            if (types[id] == 3) {
                added.addObject().put("id", id).put("content", tokens.get(id)).put("special", true);
            } else {
                vocab.put(tokens.get(id), id);
            }
        }
        ArrayNode merges = model.putArray("merges");
        md.getStringArray("tokenizer.ggml.merges").forEach(merges::add);
        ObjectNode pre = root.putObject("pre_tokenizer").put("type", "Sequence");
        ArrayNode steps = pre.putArray("pretokenizers");
        ObjectNode split = steps.addObject().put("type", "Split").put("behavior", "Isolated").put("invert", false);
        split.putObject("pattern").put("Regex", LLAMA3_SPLIT_REGEX);
        steps.addObject().put("type", "ByteLevel").put("add_prefix_space", false).put("use_regex", false);
        root.set("model", model);
        Files.writeString(dir.resolve("tokenizer.json"), root.toPrettyString());

        ObjectNode cfg = m.createObjectNode()
                .put("bos_token", tokens.get(md.getInt("tokenizer.ggml.bos_token_id", -1)))
                .put("eos_token", tokens.get(md.getInt("tokenizer.ggml.eos_token_id", -1)))
                .put("add_bos_token", true)
                .put("chat_template", CHAT_TEMPLATE);
        Files.writeString(dir.resolve("tokenizer_config.json"), cfg.toPrettyString());
    }

    /** A GGUF float tensor (ggml dims [ne0, ne1] = torch shape (ne1, ne0)) copied as dtype. */
    private static void copyFloats(GgufFile g, String from, String to, SafetensorsDtype dtype, long[] shape,
                                   TensorSink sink) {
        GgufTensorInfo t = g.tensor(from).orElseThrow();
        MemorySegment src = g.data(t);
        GgmlType type = dtype == SafetensorsDtype.F16 ? GgmlType.F16 : GgmlType.F32;
        sink.add(to, dtype, shape, dst -> {
            int width = dtype.size();
            float[] f = new float[1 << 16];
            for (long first = 0; first < t.elements(); first += f.length) {
                int n = (int) Math.min(f.length, t.elements() - first);
                TensorCodec.of(t.type()).decode(src, t.elements(), first, f, 0, n);
                TensorCodec.of(type).encode(f, 0, n, dst.asSlice(first * width, (long) n * width));
            }
        });
    }

    private void linear(GgufFile g, String from, String to, TensorSink sink) {
        GgufTensorInfo t = g.tensor(from + ".weight").orElseThrow();
        int cols = (int) t.dim(0);
        int rows = (int) t.dim(1);
        int total = rows * cols;
        byte[] codes = new byte[total];
        float s = TensorCodec.ternary(t.type()).decodeTernary(g.data(t), total, 0, codes, 0, total);
        if (layout == Layout.MASTER) {
            sink.add(to + ".weight", SafetensorsDtype.BF16, new long[] {rows, cols},
                    dst -> TensorCodec.of(GgmlType.BF16).encode(master(codes, s), 0, total, dst));
            return;
        }
        float scale = s;
        if (layout == Layout.PACKED_FROM_MASTER) {
            float[] w = master(codes, s);
            // What the importer reads back: the bf16 values.
            MemorySegment bf16 = MemorySegment.ofArray(new byte[total * 2]);
            TensorCodec.of(GgmlType.BF16).encode(w, 0, total, bf16);
            TensorCodec.of(GgmlType.BF16).decode(bf16, total, 0, w, 0, total);
            scale = Absmean.ternarise(w, 0, total, codes, 0);
        }
        float weightScale = "autobitlinear".equals(linearClass) ? scale : 1f / scale;
        sink.add(to + ".weight", SafetensorsDtype.U8, new long[] {rows / 4, cols}, dst -> pack(codes, rows, cols, dst));
        sink.add(to + ".weight_scale", SafetensorsDtype.F32, new long[] {1}, dst -> dst.set(F32, 0, weightScale));
    }

    public static float[] master(byte[] codes, float s) {
        float[] w = new float[codes.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = codes[i] * s * (i % 2 == 0 ? 1.5f : 2.5f);
        }
        return w;
    }

    /** transformers' pack_weights: row r goes to byte row r mod (rows/4), bits 2·(r div (rows/4)), as code + 1. */
    public static void pack(byte[] codes, int rows, int cols, MemorySegment dst) {
        int quarter = rows / 4;
        for (int r = 0; r < rows; r++) {
            int shift = 2 * (r / quarter);
            long base = (long) (r % quarter) * cols;
            for (int c = 0; c < cols; c++) {
                byte old = dst.get(ValueLayout.JAVA_BYTE, base + c);
                dst.set(ValueLayout.JAVA_BYTE, base + c, (byte) (old | (codes[r * cols + c] + 1) << shift));
            }
        }
    }
}

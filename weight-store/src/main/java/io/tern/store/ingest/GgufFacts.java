package io.tern.store.ingest;

import io.tern.engine.gguf.GgufFile;
import io.tern.engine.gguf.GgufFormatException;
import io.tern.engine.gguf.GgufMetadata;
import io.tern.engine.gguf.GgufTensorInfo;
import io.tern.engine.gguf.GgufWriter;
import io.tern.engine.importer.TensorSummary;
import io.tern.engine.model.BitNetConfig;
import io.tern.store.catalog.Manifest.TensorEntry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the manifest records about a canonical GGUF, and the tokenizer blob cut from its metadata. */
public record GgufFacts(String architecture, Map<String, String> hyperParams, List<TensorEntry> tensors) {

    /**
     * Facts of a canonical GGUF. The tensor list follows the importer's summaries when it gave them (type and dims
     * as written, size from the file), else the file's own tensor table.
     */
    public static GgufFacts of(GgufFile file, List<TensorSummary> summaries) throws GgufFormatException {
        BitNetConfig c = BitNetConfig.from(file.metadata());
        Map<String, String> hp = new LinkedHashMap<>();
        hp.put("n_layers", Integer.toString(c.layers()));
        hp.put("n_embd", Integer.toString(c.dim()));
        hp.put("n_ff", Integer.toString(c.ffnDim()));
        hp.put("n_head", Integer.toString(c.heads()));
        hp.put("n_head_kv", Integer.toString(c.kvHeads()));
        hp.put("head_dim", Integer.toString(c.headDim()));
        hp.put("rope_dim", Integer.toString(c.ropeDim()));
        hp.put("n_vocab", Integer.toString(c.vocab()));
        hp.put("context_length", Integer.toString(c.contextLength()));
        hp.put("rope_theta", Float.toString(c.ropeTheta()));
        hp.put("rms_eps", Float.toString(c.rmsEps()));
        hp.put("tied_embeddings", Boolean.toString(file.tensor("output.weight").isEmpty()));
        file.tensor("blk.0.attn_q.weight").ifPresent(t -> hp.put("linear_type", t.type().toString()));
        List<TensorEntry> tensors = new ArrayList<>();
        if (summaries.isEmpty()) {
            for (GgufTensorInfo t : file.tensors()) {
                tensors.add(new TensorEntry(t.name(), t.type().toString(), boxed(t.dims()), t.byteSize()));
            }
        }
        for (TensorSummary s : summaries) {
            GgufTensorInfo t = file.requireTensor(s.name());
            if (t.type() != s.type() || !Arrays.equals(t.dims(), s.dims())) {
                throw new GgufFormatException("tensor '" + s.name() + "' is " + t.type() + " " + Arrays.toString(t.dims())
                        + " in the canonical GGUF but the importer reported " + s.type() + " " + Arrays.toString(s.dims()));
            }
            tensors.add(new TensorEntry(s.name(), s.type().toString(), boxed(s.dims()), t.byteSize()));
        }
        return new GgufFacts(c.architecture(), hp, tensors);
    }

    private static List<Long> boxed(long[] dims) {
        return Arrays.stream(dims).boxed().toList();
    }

    /**
     * Writes the tokenizer blob: a GGUF without tensors holding every {@code tokenizer.*} key, the architecture,
     * its hyper-parameter keys and the model name, so the gateway can tokenise without fetching weights.
     */
    public static void writeTokenizerBlob(GgufFile source, Path out) throws IOException {
        GgufMetadata md = source.metadata();
        String arch = md.requireString("general.architecture");
        GgufWriter w = new GgufWriter(out);
        for (String k : md.keys()) {
            if (k.startsWith("tokenizer.") || k.startsWith(arch + ".") || k.equals("general.architecture")
                    || k.equals("general.name")) {
                w.put(k, md.typeOf(k), md.get(k));
            }
        }
        w.write();
    }
}

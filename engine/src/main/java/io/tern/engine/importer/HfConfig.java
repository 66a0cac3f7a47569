package io.tern.engine.importer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tern.engine.model.BitNetConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The parts of a Hugging Face BitNet {@code config.json} the import needs.
 *
 * @param tied        tie_word_embeddings (transformers' default: true): lm_head is the embedding
 * @param hiddenAct   e.g. "relu2" (BitNet b1.58 2B4T)
 * @param linearClass quantization_config.linear_class, "" when absent
 */
record HfConfig(BitNetConfig model, boolean tied, String hiddenAct, String linearClass) {
    static final String FILE = "config.json";
    private static final Set<String> ARCHITECTURES = Set.of("BitNetForCausalLM", "BitnetForCausalLM");

    static HfConfig read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new ImportException(dir + ": no " + FILE);
        }
        JsonNode c;
        try {
            c = new ObjectMapper().readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new ImportException(FILE + " is not valid JSON: " + e.getOriginalMessage());
        }
        if (c == null || !c.isObject()) {
            throw new ImportException(FILE + " is not a JSON object");
        }
        JsonNode archs = c.path("architectures");
        if (archs.isArray() && !archs.isEmpty()) {
            boolean known = false;
            for (JsonNode a : archs) {
                known |= ARCHITECTURES.contains(a.asText());
            }
            if (!known) {
                throw new ImportException(FILE + ": architectures " + archs + " is not a BitNet model "
                        + ARCHITECTURES);
            }
        }
        JsonNode rope = c.get("rope_scaling");
        if (rope != null && !rope.isNull()) {
            throw new ImportException(FILE + ": rope_scaling " + rope + " is not supported");
        }
        int dim = requireInt(c, "hidden_size");
        int heads = requireInt(c, "num_attention_heads");
        if (heads <= 0 || dim % heads != 0) {
            throw new ImportException(FILE + ": hidden_size " + dim + " is not a multiple of num_attention_heads "
                    + heads);
        }
        int headDim = dim / heads;
        if (c.has("head_dim") && !c.get("head_dim").isNull() && requireInt(c, "head_dim") != headDim) {
            throw new ImportException(FILE + ": head_dim " + c.get("head_dim") + " differs from hidden_size / "
                    + "num_attention_heads = " + headDim + "; not supported");
        }
        BitNetConfig model;
        try {
            model = new BitNetConfig(CanonicalWriter.ARCH,
                    requireInt(c, "num_hidden_layers"),
                    dim,
                    requireInt(c, "intermediate_size"),
                    heads,
                    optionalInt(c, "num_key_value_heads", heads),
                    headDim,
                    headDim,
                    requireInt(c, "vocab_size"),
                    optionalInt(c, "max_position_embeddings", 4096),
                    (float) c.path("rope_theta").asDouble(10000),
                    (float) c.path("rms_norm_eps").asDouble(1e-5));
        } catch (IllegalArgumentException e) {
            throw new ImportException(FILE + ": " + e.getMessage());
        }
        boolean tied = c.path("tie_word_embeddings").asBoolean(true);
        String act = c.path("hidden_act").asText("relu2");
        String linearClass = c.path("quantization_config").path("linear_class").asText("");
        return new HfConfig(model, tied, act, linearClass);
    }

    /** The convention for weight_scale, resolving FROM_CONFIG by linear_class (see {@link WeightScaleConvention}). */
    WeightScaleConvention resolve(WeightScaleConvention requested) {
        if (requested != WeightScaleConvention.FROM_CONFIG) {
            return requested;
        }
        return "autobitlinear".equals(linearClass) ? WeightScaleConvention.MULTIPLY : WeightScaleConvention.DIVIDE;
    }

    private static int requireInt(JsonNode c, String key) throws ImportException {
        JsonNode n = c.get(key);
        if (n == null || n.isNull()) {
            throw new ImportException(FILE + ": missing key '" + key + "'");
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new ImportException(FILE + ": key '" + key + "' is " + n + ", expected an integer");
        }
        return n.asInt();
    }

    private static int optionalInt(JsonNode c, String key, int def) throws ImportException {
        return c.has(key) && !c.get(key).isNull() ? requireInt(c, key) : def;
    }
}

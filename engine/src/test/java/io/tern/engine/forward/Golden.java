package io.tern.engine.forward;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** llama.cpp's golden logits for the tiny conformance model (see conformance/README.md). */
record Golden(int[] inputIds, List<Step> promptSteps, List<Step> genSteps, int[] greedyIds) {
    record Step(int pos, int input, int argmax, float[] logits) {}

    static final String DIR = "/conformance/bitnet-tiny/";

    static Path model() {
        try {
            return Path.of(Golden.class.getResource(DIR + "tiny-bitnet-tq2_0.gguf").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Golden load(String name) throws IOException {
        try (InputStream in = Golden.class.getResourceAsStream(DIR + name)) {
            JsonNode root = new ObjectMapper().readTree(in);
            return new Golden(ints(root.get("input_ids")), steps(root.get("prompt_steps")),
                    steps(root.path("gen_steps")), ints(root.get("greedy_ids")));
        }
    }

    /** Every step in feeding order: the prompt, then the generated tokens. */
    List<Step> allSteps() {
        List<Step> all = new ArrayList<>(promptSteps);
        all.addAll(genSteps);
        return all;
    }

    private static List<Step> steps(JsonNode arr) {
        List<Step> out = new ArrayList<>();
        for (JsonNode s : arr) {
            JsonNode l = s.get("logits");
            float[] logits = new float[l.size()];
            for (int i = 0; i < logits.length; i++) logits[i] = (float) l.get(i).asDouble();
            out.add(new Step(s.get("pos").asInt(), s.get("input").asInt(), s.get("argmax").asInt(), logits));
        }
        return out;
    }

    private static int[] ints(JsonNode arr) {
        int[] out = new int[arr.size()];
        for (int i = 0; i < out.length; i++) out[i] = arr.get(i).asInt();
        return out;
    }
}

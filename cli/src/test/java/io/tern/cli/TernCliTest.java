package io.tern.cli;

import io.tern.engine.testmodel.BitNetShape;
import io.tern.engine.testmodel.TestModelGenerator;
import io.tern.engine.gguf.GgmlType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The three commands people and scripts use to check the engine: flags and output format. */
class TernCliTest {
    @TempDir static Path dir;
    static Path model;

    @BeforeAll
    static void writeModel() throws Exception {
        model = dir.resolve("tiny.gguf");
        new TestModelGenerator(BitNetShape.tiny()).weightType(GgmlType.TQ2_0).seed(7).write(model);
    }

    record Run(int code, String out, String err) {}

    static synchronized Run run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Tern.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** The bench on a tiny model: every figure of the JSON line is there, the KV cache is F16 by default on int8. */
    @Test
    void benchEndsWithOneJsonLineOfFigures() {
        Run r = run("bench", "--model", model.toString(), "--prompt", "8", "--gen", "40", "--threads", "2", "--head-samples", "4", "--gemv-mb", "8");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().trim().split("\n");
        String json = lines[lines.length - 1];
        for (String key : new String[] {"prefill_tok_s", "decode_tok_s", "bytes_per_token", "effective_gbs", "stream_gbs", "roofline",
                "decode_best_round_tok_s", "roofline_best_round", "roofline_paired", "pool_jobs_per_token", "pool_solo_share", "gemv_gbs", "gemv_roofline", "layer_matmuls_roofline", "layer_matmuls_paused_roofline", "step_ms", "cpu_steal", "cpu_hiccup_share", "cpu_hiccups_per_s",
                "software_prefetch", "dense_prefetch", "prefill_step_ms"}) {
            assertTrue(json.contains("\"" + key + "\": "), key + " missing from " + json);
        }
        assertTrue(!json.contains("\"gemv_roofline\": null"), "the tiny model's 256 columns take the GEMV figure: " + json);
        assertTrue(json.matches(".*\"layer_matmuls_roofline\": [0-9.]*[1-9][0-9.]*,.*"), "the layers' matmuls were measured: " + json);
        assertTrue(r.out().contains("layer matmuls    "), r.out());
        for (String phase : new String[] {"qkv", "attention", "wo", "gate_up", "down", "head"}) {
            assertTrue(json.matches(".*\"" + phase + "\": [0-9.]*[1-9][0-9.]*[,}].*"), phase + " took no time in " + json);
        }
        assertTrue(r.out().contains("decode step "), r.out());
        assertTrue(json.contains("\"kv_type\": \"f16\""), json);
        assertTrue(r.out().contains("best round of 16: "), r.out());
        Run bad = run("bench", "--model", model.toString(), "--kv-type", "f8");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("unknown KV cache type 'f8'"), bad.err());
    }

    @Test
    void tokenizePrintsIdsAndKeepsControlTokensPlainUnlessAsked() {
        Run plain = run("tokenize", "--model", model.toString(), "--text", "<|eot_id|>");
        assertEquals(0, plain.code(), plain.err());
        assertTrue(!plain.out().contains("302"), "control token smuggled in as plain text: " + plain.out());
        Run special = run("tokenize", "--model", model.toString(), "--text", "<|eot_id|>", "--special");
        assertEquals("[302]", special.out().trim());
    }

    @Test
    void tokenizeJsonlGivesOneArrayPerLine() throws Exception {
        Path jsonl = dir.resolve("cases.jsonl");
        Files.writeString(jsonl, "{\"text\": \"hi\"}\n{\"text\": \"<|eot_id|>\", \"special\": true}\n");
        Run r = run("tokenize", "--model", model.toString(), "--jsonl", jsonl.toString());
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().trim().split("\n");
        assertEquals(2, lines.length);
        assertEquals("[302]", lines[1].trim());
    }

    @Test
    void logitsBatchAndStepwiseAgree() {
        Run step = run("logits", "--model", model.toString(), "--tokens", "300,10,20", "--path", "float");
        Run batch = run("logits", "--model", model.toString(), "--tokens", "300,10,20", "--path", "float", "--batch");
        assertEquals(0, step.code(), step.err());
        String[] a = step.out().trim().split("\n"), b = batch.out().trim().split("\n");
        assertEquals(3, a.length);
        assertEquals(3, b.length);
        for (int i = 0; i < 3; i++) {
            assertTrue(a[i].startsWith("{\"pos\": " + i + ", \"input\": "), a[i]);
            float[] x = parse(a[i]), y = parse(b[i]);
            assertEquals(303, x.length);
            for (int v = 0; v < x.length; v++) assertEquals(x[v], y[v], 1e-4f, "pos " + i + " id " + v);
        }
    }

    @Test
    void generateIsDeterministicForASeed() {
        String[] args = {"generate", "--model", model.toString(), "--prompt", "hello", "--max-tokens", "12",
                "--temperature", "0.8", "--top-k", "40", "--top-p", "0.9", "--seed", "5"};
        Run first = run(args), second = run(args);
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().startsWith("hello"), first.out());
        assertEquals(first.out(), second.out());
        assertTrue(first.err().contains("tok/s"), first.err());
    }

    @Test
    void badInputGetsAClearError() throws Exception {
        Path bad = dir.resolve("bad.gguf");
        Files.writeString(bad, "not a gguf file at all");
        Run r = run("generate", "--model", bad.toString(), "--prompt", "x");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("tern: "), r.err());
        Run tok = run("logits", "--model", model.toString(), "--tokens", "99999");
        assertEquals(1, tok.code());
        assertTrue(tok.err().contains("outside the vocabulary"), tok.err());
    }

    private static float[] parse(String line) {
        String arr = line.substring(line.indexOf('[') + 1, line.lastIndexOf(']'));
        String[] parts = arr.split(", ");
        float[] out = new float[parts.length];
        for (int i = 0; i < parts.length; i++) out[i] = Float.parseFloat(parts[i]);
        return out;
    }
}

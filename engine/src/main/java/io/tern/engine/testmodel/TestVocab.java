package io.tern.engine.testmodel;

import java.util.ArrayList;
import java.util.List;

/**
 * A small byte-level BPE vocabulary in llama.cpp's {@code gpt2} / {@code llama-bpe} form, like the conformance
 * model's: 256 byte tokens (id = byte value, spelled with GPT-2's byte-to-unicode map), one token per merge, then
 * control tokens. For vocab ≥ 128256 the special tokens sit where LLaMA-3 puts them (128000 BOS, 128001 EOS,
 * 128009 EOT); otherwise right after the merges, followed by reserved control tokens up to the vocab size.
 */
public final class TestVocab {
    public static final int TYPE_NORMAL = 1;
    public static final int TYPE_CONTROL = 3;

    /** Merges of common English pairs (and the conformance prompt's words), in priority order. */
    static final List<String> MERGES = List.of(
            "Ġ t", "h e", "Ġ a", "i n", "Ġt he", "e r", "o n", "Ġ s", "r e", "a t", "e n", "Ġ o", "o r", "Ġ b",
            "i t", "Ġ c", "e s", "a n", "Ġ w", "Ġ i", "Ġ f", "l l", "Ġ h", "in g", "Ġ m", "a r", "o u", "Ġ p",
            "e d", "Ġt o", "Ġ n", "e t", "Ġb it", "Ġn et", "Ġ 1", "Ġ l", "l o", "ll o", "he llo", "Ġh e",
            "Ġhe llo", "Ġw or", "l d", "Ġwor ld");

    static final int MIN_VOCAB = 256 + 44 + 3;
    private static final int LLAMA3_VOCAB = 128256;
    private static final int LLAMA3_SPECIAL_START = 128000;

    private final List<String> tokens;
    private final int[] types;
    private final int bos;
    private final int eos;
    private final int eot;

    private TestVocab(List<String> tokens, int[] types, int bos, int eos, int eot) {
        this.tokens = tokens;
        this.types = types;
        this.bos = bos;
        this.eos = eos;
        this.eot = eot;
    }

    public static TestVocab of(int vocab) {
        if (vocab < MIN_VOCAB) {
            throw new IllegalArgumentException("vocab " + vocab + " is below " + MIN_VOCAB);
        }
        List<String> tokens = new ArrayList<>(vocab);
        String[] byteChars = byteToUnicode();
        for (int b = 0; b < 256; b++) {
            tokens.add(byteChars[b]);
        }
        for (String m : MERGES) {
            tokens.add(m.replace(" ", ""));
        }
        int specialStart = vocab >= LLAMA3_VOCAB ? LLAMA3_SPECIAL_START : tokens.size();
        int reserved = 0;
        while (tokens.size() < specialStart) {
            tokens.add("<|reserved_special_token_" + reserved++ + "|>");
        }
        int bos = tokens.size();
        tokens.add("<|begin_of_text|>");
        tokens.add("<|end_of_text|>");
        int eot;
        if (vocab >= LLAMA3_VOCAB) {
            while (tokens.size() < LLAMA3_SPECIAL_START + 9) {
                tokens.add("<|reserved_special_token_" + reserved++ + "|>");
            }
            eot = tokens.size();
        } else {
            eot = tokens.size();
        }
        tokens.add("<|eot_id|>");
        while (tokens.size() < vocab) {
            tokens.add("<|reserved_special_token_" + reserved++ + "|>");
        }
        int[] types = new int[vocab];
        for (int i = 0; i < vocab; i++) {
            types[i] = i < 256 + MERGES.size() ? TYPE_NORMAL : TYPE_CONTROL;
        }
        return new TestVocab(List.copyOf(tokens), types, bos, bos + 1, eot);
    }

    /** GPT-2's bytes_to_unicode: printable bytes stand for themselves, the others map to U+0100 upwards. */
    static String[] byteToUnicode() {
        String[] out = new String[256];
        int next = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            out[b] = Character.toString(printable ? b : 256 + next++);
        }
        return out;
    }

    public List<String> tokens() {
        return tokens;
    }

    public int[] types() {
        return types.clone();
    }

    public List<String> merges() {
        return MERGES;
    }

    public int bos() {
        return bos;
    }

    public int eos() {
        return eos;
    }

    public int eot() {
        return eot;
    }
}

package io.tern.engine.tokenizer;

import java.util.List;
import java.util.Set;

/**
 * Everything a byte-level BPE tokenizer needs, whatever file it came from.
 *
 * @param tokens       id -> token string: GPT-2 byte-to-unicode form for ordinary tokens, the literal
 *                     text for special ones; {@code null} for an id no entry uses
 * @param merges       "left right" pairs in rank order (rank 0 first)
 * @param tokenTypes   GGUF token types per id (1 normal, 2 unknown, 3 control, 4 user-defined,
 *                     5 unused, 6 byte), or {@code null} when every token is ordinary
 * @param bos          begin-of-sequence id, -1 if none
 * @param eos          end-of-sequence id, -1 if none
 * @param eot          end-of-turn id, -1 if none
 * @param addBos       whether {@code encodeWithBos} prepends {@code bos}
 * @param preTokenizer pre-tokenizer name; only "llama-bpe" (the LLaMA-3 regex) is implemented
 * @param ignoreMerges a pre-token that is itself in the vocabulary gets its id without merging
 */
public record Vocabulary(List<String> tokens, List<String> merges, int[] tokenTypes,
                         int bos, int eos, int eot, boolean addBos, String preTokenizer, boolean ignoreMerges) {

    public static final int TYPE_NORMAL = 1;
    public static final int TYPE_UNKNOWN = 2;
    public static final int TYPE_CONTROL = 3;
    public static final int TYPE_USER_DEFINED = 4;
    public static final int TYPE_UNUSED = 5;
    public static final int TYPE_BYTE = 6;

    public static final String LLAMA_BPE = "llama-bpe";

    /** llama.cpp's names for the LLaMA-3 pre-tokenizer ({@code tokenizer.ggml.pre}). */
    private static final Set<String> LLAMA3_PRE_NAMES = Set.of("llama-bpe", "llama3", "llama-v3", "falcon3");

    public Vocabulary {
        if (tokens == null || tokens.isEmpty()) throw new IllegalArgumentException("vocabulary has no tokens");
        if (merges == null) throw new IllegalArgumentException("merges must not be null (use an empty list)");
        if (tokenTypes != null && tokenTypes.length != tokens.size()) {
            throw new IllegalArgumentException("token_type has " + tokenTypes.length + " entries but there are "
                    + tokens.size() + " tokens");
        }
        checkId("bos", bos, tokens.size());
        checkId("eos", eos, tokens.size());
        checkId("eot", eot, tokens.size());
        if (addBos && bos < 0) throw new IllegalArgumentException("addBos is set but there is no bos token");
    }

    public int size() {
        return tokens.size();
    }

    /** Type of a token: the GGUF type when known, else normal. */
    public int typeOf(int id) {
        return tokenTypes == null ? TYPE_NORMAL : tokenTypes[id];
    }

    /**
     * The vocabulary of a GGUF file from its {@code tokenizer.ggml.*} metadata, without depending on
     * the GGUF reader.
     *
     * @param model      {@code tokenizer.ggml.model}; must be "gpt2" (byte-level BPE)
     * @param pre        {@code tokenizer.ggml.pre}; one of llama.cpp's names for the LLaMA-3 regex
     * @param tokenTypes {@code tokenizer.ggml.token_type}, may be null
     * @param bos        {@code tokenizer.ggml.bos_token_id}, -1 if absent (likewise eos, eot)
     * @param addBos     {@code tokenizer.ggml.add_bos_token}, or null if absent (llama-bpe then adds BOS,
     *                   as llama.cpp does)
     */
    public static Vocabulary fromGguf(String model, String pre, List<String> tokens, List<String> merges,
                                      int[] tokenTypes, int bos, int eos, int eot, Boolean addBos) {
        if (!"gpt2".equals(model)) {
            throw new IllegalArgumentException("tokenizer.ggml.model is '" + model
                    + "'; only 'gpt2' (byte-level BPE) is supported");
        }
        if (pre == null || !LLAMA3_PRE_NAMES.contains(pre)) {
            throw new IllegalArgumentException("tokenizer.ggml.pre is '" + pre + "'; only the LLaMA-3 pre-tokenizer "
                    + LLAMA3_PRE_NAMES + " is supported");
        }
        boolean add = addBos != null ? addBos : bos >= 0;
        return new Vocabulary(List.copyOf(tokens), List.copyOf(merges), tokenTypes, bos, eos, eot,
                add, LLAMA_BPE, true);
    }

    private static void checkId(String name, int id, int size) {
        if (id < -1 || id >= size) {
            throw new IllegalArgumentException(name + " id " + id + " is outside the vocabulary (size " + size + ")");
        }
    }
}

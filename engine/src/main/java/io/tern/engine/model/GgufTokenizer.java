package io.tern.engine.model;

import io.tern.engine.gguf.GgufFormatException;
import io.tern.engine.gguf.GgufMetadata;
import io.tern.engine.tokenizer.Tokenizer;
import io.tern.engine.tokenizer.Vocabulary;

import java.util.List;

/** The tokenizer a GGUF file carries in its `tokenizer.ggml.*` metadata. */
public final class GgufTokenizer {
    private GgufTokenizer() {}

    public static Tokenizer load(GgufMetadata md) throws GgufFormatException {
        String model = md.getString("tokenizer.ggml.model")
                .orElseThrow(() -> new GgufFormatException("no tokenizer in the file (missing 'tokenizer.ggml.model')"));
        List<String> tokens = md.getStringArray("tokenizer.ggml.tokens");
        if (tokens.isEmpty()) throw new GgufFormatException("tokenizer has no tokens ('tokenizer.ggml.tokens')");
        int[] types = md.has("tokenizer.ggml.token_type") ? md.getIntArray("tokenizer.ggml.token_type") : null;
        if (types != null && types.length != tokens.size())
            throw new GgufFormatException("tokenizer has " + tokens.size() + " tokens but " + types.length + " token types");
        Boolean addBos = md.has("tokenizer.ggml.add_bos_token") ? md.getBool("tokenizer.ggml.add_bos_token", true) : null;
        try {
            return Tokenizer.fromVocabulary(Vocabulary.fromGguf(model, md.getString("tokenizer.ggml.pre").orElse("default"), tokens,
                    md.getStringArray("tokenizer.ggml.merges"), types,
                    tokenId(md, "tokenizer.ggml.bos_token_id", tokens.size()),
                    tokenId(md, "tokenizer.ggml.eos_token_id", tokens.size()),
                    tokenId(md, "tokenizer.ggml.eot_token_id", tokens.size()), addBos));
        } catch (IllegalArgumentException e) {
            throw new GgufFormatException("bad tokenizer metadata: " + e.getMessage());
        }
    }

    private static int tokenId(GgufMetadata md, String key, int vocab) throws GgufFormatException {
        int id = md.getInt(key, -1);
        if (id >= vocab) throw new GgufFormatException("'" + key + "' = " + id + " is outside the vocabulary of " + vocab);
        return id;
    }
}

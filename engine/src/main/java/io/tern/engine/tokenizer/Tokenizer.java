package io.tern.engine.tokenizer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Byte-level BPE tokenizer with the LLaMA-3 pre-tokenizer (Hugging Face tokenizer.json, or a GGUF
 * vocabulary with {@code tokenizer.ggml.model = gpt2, pre = llama-bpe}). Immutable and thread-safe.
 *
 * <p>Encoding: special tokens are cut out first, each remaining stretch is split by the LLaMA-3
 * regex, and each piece becomes bytes -> byte tokens -> BPE merges.
 */
public final class Tokenizer {

    /** Control-token names that end generation when the vocabulary has them (as llama.cpp's EOG set). */
    private static final Set<String> STOP_NAMES = Set.of(
            "<|eot_id|>", "<|eom_id|>", "<|end_of_text|>", "<|endoftext|>", "<|im_end|>", "<|end|>", "<end_of_turn>");

    private final Vocabulary vocabulary;
    private final byte[][] bytesById;
    private final boolean[] special;
    private final boolean[] stop;
    private final TokenTable table;
    private final SpecialTokens specialTokens;
    private final BytePairEncoder bpe;

    private Tokenizer(Vocabulary v) {
        if (!Vocabulary.LLAMA_BPE.equals(v.preTokenizer())) {
            throw new IllegalArgumentException("pre-tokenizer '" + v.preTokenizer() + "' is not supported; only '"
                    + Vocabulary.LLAMA_BPE + "' (the LLaMA-3 split regex) is implemented");
        }
        this.vocabulary = v;
        int n = v.size();
        bytesById = new byte[n][];
        special = new boolean[n];
        stop = new boolean[n];
        for (int id = 0; id < n; id++) {
            String token = v.tokens().get(id);
            int type = v.typeOf(id);
            special[id] = type == Vocabulary.TYPE_CONTROL || type == Vocabulary.TYPE_USER_DEFINED;
            if (token == null) {
                bytesById[id] = new byte[0];
                continue;
            }
            bytesById[id] = special[id] ? token.getBytes(StandardCharsets.UTF_8) : ByteLevel.decode(token);
            stop[id] = id == v.eos() || id == v.eot() || (type == Vocabulary.TYPE_CONTROL && STOP_NAMES.contains(token));
        }
        this.table = new TokenTable(v.tokens());
        this.specialTokens = new SpecialTokens(v);
        this.bpe = new BytePairEncoder(this::ordinaryId, mergeTable(v.merges()), v.ignoreMerges());
    }

    public static Tokenizer fromVocabulary(Vocabulary v) {
        return new Tokenizer(v);
    }

    /**
     * Loads a Hugging Face {@code tokenizer.json} (gzipped when the name ends in ".gz"). BOS/EOS come
     * from {@code tokenizer_config.json} beside it when present, else from the LLaMA-3 names
     * {@code <|begin_of_text|>} and {@code <|end_of_text|>}; EOT is {@code <|eot_id|>}.
     */
    public static Tokenizer fromHuggingFace(Path tokenizerJson) throws IOException {
        return new Tokenizer(HuggingFaceTokenizerFile.read(tokenizerJson));
    }

    /** Token ids of the text; never adds BOS. With {@code parseSpecial} control tokens in the text are recognised. */
    public int[] encode(String text, boolean parseSpecial) {
        IdList out = new IdList();
        specialTokens.split(text, parseSpecial, new SpecialTokens.Sink() {
            @Override
            public void text(int start, int end) {
                Llama3PreTokenizer.split(text, start, end, (s, e) -> bpe.encode(text.substring(s, e), out));
            }

            @Override
            public void special(int id) {
                out.add(id);
            }
        });
        return out.toArray();
    }

    /** Like {@link #encode} but prepends BOS when the vocabulary asks for it. */
    public int[] encodeWithBos(String text, boolean parseSpecial) {
        int[] ids = encode(text, parseSpecial);
        if (!vocabulary.addBos()) return ids;
        int[] withBos = new int[ids.length + 1];
        withBos[0] = vocabulary.bos();
        System.arraycopy(ids, 0, withBos, 1, ids.length);
        return withBos;
    }

    /** The exact bytes of a token; a special token gives its text in UTF-8. */
    public byte[] tokenBytes(int id) {
        return bytesOf(id).clone();
    }

    byte[] bytesOf(int id) {
        if (id < 0 || id >= bytesById.length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary (size " + bytesById.length + ")");
        }
        return bytesById[id];
    }

    /** The text of a whole sequence; malformed UTF-8 becomes U+FFFD. */
    public String decode(int[] ids) {
        int total = 0;
        for (int id : ids) total += bytesOf(id).length;
        ByteBuffer all = ByteBuffer.allocate(total);
        for (int id : ids) all.put(bytesById[id]);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(all.flip()).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("UTF-8 decoder set to REPLACE still failed", e);
        }
    }

    /** A decoder of every token's text, control tokens included. */
    public StreamingDecoder streamingDecoder() {
        return new StreamingDecoder(this, false);
    }

    /** With skipSpecialTokens, control / unknown / unused tokens give no text ({@link #isSkippedInText}). */
    public StreamingDecoder streamingDecoder(boolean skipSpecialTokens) {
        return new StreamingDecoder(this, skipSpecialTokens);
    }

    public int vocabSize() {
        return bytesById.length;
    }

    public int bos() {
        return vocabulary.bos();
    }

    public int eos() {
        return vocabulary.eos();
    }

    public int eot() {
        return vocabulary.eot();
    }

    public boolean addsBos() {
        return vocabulary.addBos();
    }

    /** EOS, EOT and end-of-turn/-message control tokens such as {@code <|eom_id|>}. */
    public boolean isStopToken(int id) {
        return id >= 0 && id < stop.length && stop[id];
    }

    /** Control or user-defined token (an added token in Hugging Face terms). */
    public boolean isSpecial(int id) {
        return id >= 0 && id < special.length && special[id];
    }

    /**
     * Tokens that are not text: control tokens (Hugging Face's added tokens marked special, e.g. {@code <|eot_id|>},
     * {@code <|reserved_special_token_0|>}) and unknown or unused ones — what llama.cpp leaves out of a piece without
     * {@code special}, and what {@code skip_special_tokens} drops. User-defined tokens (added, not special) stay.
     */
    public boolean isSkippedInText(int id) {
        if (id < 0 || id >= vocabSize()) return false;  // let the decoder name a bad id
        int type = vocabulary().typeOf(id);
        return type == Vocabulary.TYPE_CONTROL || type == Vocabulary.TYPE_UNKNOWN || type == Vocabulary.TYPE_UNUSED;
    }

    /** Id of a token by its vocabulary string (byte-level form, or the literal text of a special token). */
    public OptionalInt tokenId(String token) {
        int id = table.find(token);
        return id == TokenTable.NONE ? OptionalInt.empty() : OptionalInt.of(id);
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** Id of an ordinary (non-special) token by its byte-level string, or -1. */
    private int ordinaryId(String token) {
        return ordinary(table.find(token));
    }

    /** Merges whose parts or result are not ordinary tokens can never apply and are left out. */
    private MergeTable mergeTable(List<String> merges) {
        MergeTable merged = new MergeTable(merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            String merge = merges.get(rank);
            int space = merge.indexOf(' ', 1);
            if (space < 0) throw new IllegalArgumentException("merge " + rank + " '" + merge + "' is not 'left right'");
            int l = ordinary(table.find(merge, 0, space));
            int r = ordinary(table.find(merge, space + 1, merge.length()));
            int m = ordinary(table.findJoined(merge, 0, space, space + 1, merge.length()));
            if (l >= 0 && r >= 0 && m >= 0) merged.put(l, r, rank, m);
        }
        return merged;
    }

    private int ordinary(int id) {
        return id == TokenTable.NONE || special[id] ? -1 : id;
    }
}

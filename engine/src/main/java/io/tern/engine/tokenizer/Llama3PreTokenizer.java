package io.tern.engine.tokenizer;

/**
 * The LLaMA-3 split regex, written out as a scanner over code points:
 * <pre>
 * (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
 * </pre>
 * with Oniguruma's meaning (what Hugging Face tokenizers and llama.cpp's llama-bpe use): {@code \s} is
 * Unicode White_Space, {@code \p{L}} the letter categories, {@code \p{N}} = Nd, Nl, No, and the
 * alternatives are tried in order at each position (leftmost alternative wins, quantifiers greedy with
 * backtracking). Every code point falls in one of the alternatives, so the pieces tile the text.
 */
final class Llama3PreTokenizer {

    /** Receives each piece as a char range [start, end) of the scanned text. */
    interface PieceSink {
        void piece(int start, int end);
    }

    private Llama3PreTokenizer() {}

    /** Splits text[from, to) into pre-tokens, left to right. */
    static void split(CharSequence text, int from, int to, PieceSink sink) {
        int i = from;
        while (i < to) {
            int end = pieceEnd(text, i, to);
            sink.piece(i, end);
            i = end;
        }
    }

    private static int pieceEnd(CharSequence s, int i, int to) {
        int cp = Character.codePointAt(s, i);
        int afterCp = i + Character.charCount(cp);
        int nextCp = afterCp < to ? Character.codePointAt(s, afterCp) : -1;

        // (?i:'s|'t|'re|'ve|'m|'ll|'d)
        if (cp == '\'' && nextCp >= 0) {
            int contraction = contractionEnd(s, afterCp, to);
            if (contraction > 0) return contraction;
        }
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if (isLetter(cp)) return letterRunEnd(s, afterCp, to);
        if (cp != '\r' && cp != '\n' && !isNumber(cp) && nextCp >= 0 && isLetter(nextCp)) {
            return letterRunEnd(s, afterCp, to);
        }
        // \p{N}{1,3}
        if (isNumber(cp)) {
            int end = afterCp;
            for (int k = 1; k < 3 && end < to; k++) {
                int c = Character.codePointAt(s, end);
                if (!isNumber(c)) break;
                end += Character.charCount(c);
            }
            return end;
        }
        // " ?[^\s\p{L}\p{N}]+[\r\n]*"
        if (cp == ' ' && nextCp >= 0 && isOther(nextCp)) return newlinesEnd(s, otherRunEnd(s, afterCp, to), to);
        if (isOther(cp)) return newlinesEnd(s, otherRunEnd(s, afterCp, to), to);

        // cp is white space from here on; all White_Space code points are single chars.
        int runEnd = i + 1;
        int lastNewline = (cp == '\r' || cp == '\n') ? i : -1;
        while (runEnd < to && isWhiteSpace(s.charAt(runEnd))) {
            char c = s.charAt(runEnd);
            if (c == '\r' || c == '\n') lastNewline = runEnd;
            runEnd++;
        }
        // \s*[\r\n]+ : greedy \s* backs off to the last line break of the run
        if (lastNewline >= 0) return lastNewline + 1;
        // \s+(?!\S) : the whole run at the end of the text, else all but its last char
        if (runEnd == to) return runEnd;
        if (runEnd - i >= 2) return runEnd - 1;
        // \s+
        return runEnd;
    }

    /** End of a contraction starting with the apostrophe just before {@code at}, or -1. */
    private static int contractionEnd(CharSequence s, int at, int to) {
        char c = s.charAt(at);
        // Case-insensitive by Unicode simple folding: only 's' has an extra fold, U+017F (long s).
        switch (c) {
            case 's', 'S', '\u017F', 't', 'T', 'm', 'M', 'd', 'D' -> {
                return at + 1;
            }
            default -> {}
        }
        if (at + 1 >= to) return -1;
        char c2 = s.charAt(at + 1);
        boolean two = switch (c) {
            case 'r', 'R', 'v', 'V' -> c2 == 'e' || c2 == 'E';
            case 'l', 'L' -> c2 == 'l' || c2 == 'L';
            default -> false;
        };
        return two ? at + 2 : -1;
    }

    private static int letterRunEnd(CharSequence s, int at, int to) {
        while (at < to) {
            int c = Character.codePointAt(s, at);
            if (!isLetter(c)) break;
            at += Character.charCount(c);
        }
        return at;
    }

    private static int otherRunEnd(CharSequence s, int at, int to) {
        while (at < to) {
            int c = Character.codePointAt(s, at);
            if (!isOther(c)) break;
            at += Character.charCount(c);
        }
        return at;
    }

    private static int newlinesEnd(CharSequence s, int at, int to) {
        while (at < to && (s.charAt(at) == '\r' || s.charAt(at) == '\n')) at++;
        return at;
    }

    static boolean isLetter(int cp) {
        return Character.isLetter(cp);
    }

    static boolean isNumber(int cp) {
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER;
    }

    private static boolean isOther(int cp) {
        return !isWhiteSpace(cp) && !isLetter(cp) && !isNumber(cp);
    }

    /** Unicode's White_Space property (PropList.txt), which is not Java's isWhitespace. */
    static boolean isWhiteSpace(int cp) {
        if (cp <= 0x20) return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D);
        if (cp < 0x85) return false;
        return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A)
                || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }
}

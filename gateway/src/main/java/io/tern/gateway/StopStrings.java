package io.tern.gateway;

import java.util.List;

/**
 * Watches generated text for stop strings. Text that could be the start of a stop string is held
 * back until it is known not to be one, so the stop string itself is never emitted.
 */
final class StopStrings {

    /** Text that is safe to emit now, and whether a stop string matched (then the text ends before it). */
    record Step(String text, boolean stopped) {
    }

    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();

    StopStrings(List<String> stops) {
        this.stops = stops;
    }

    Step push(String piece) {
        if (stops.isEmpty()) {
            return new Step(piece, false);
        }
        held.append(piece);
        int first = -1;
        for (String s : stops) {
            int at = held.indexOf(s);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        if (first >= 0) {
            String out = held.substring(0, first);
            held.setLength(0);
            return new Step(out, true);
        }
        int keep = longestPrefixSuffix();
        String out = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return new Step(out, false);
    }

    /** Releases what is still held back (generation ended without a match). */
    String flush() {
        String out = held.toString();
        held.setLength(0);
        return out;
    }

    /** Length of the longest end of the held text that begins some stop string. */
    private int longestPrefixSuffix() {
        int best = 0;
        for (String s : stops) {
            for (int n = Math.min(s.length() - 1, held.length()); n > best; n--) {
                if (held.toString().regionMatches(held.length() - n, s, 0, n)) {
                    best = n;
                    break;
                }
            }
        }
        return best;
    }
}

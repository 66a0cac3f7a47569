package io.tern.store.rest;

/** One byte range of a blob, from an HTTP {@code Range} header ("bytes=a-b", "bytes=a-", "bytes=-n"). */
record ByteRange(long start, long endInclusive) {

    long length() {
        return endInclusive - start + 1;
    }

    /** Null header → the whole blob; unsatisfiable or multi-range → {@link Unsatisfiable}. */
    static ByteRange parse(String header, long size) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String h = header.trim();
        if (!h.startsWith("bytes=") || h.contains(",")) {
            throw new Unsatisfiable("only a single 'bytes=' range is supported, got '" + header + "'");
        }
        String spec = h.substring(6).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            throw new Unsatisfiable("bad range '" + header + "'");
        }
        try {
            String a = spec.substring(0, dash).trim();
            String b = spec.substring(dash + 1).trim();
            long start;
            long end;
            if (a.isEmpty()) {
                long suffix = Long.parseLong(b);
                start = Math.max(0, size - suffix);
                end = size - 1;
            } else {
                start = Long.parseLong(a);
                end = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
            }
            if (start < 0 || start >= size || end < start) {
                throw new Unsatisfiable("range '" + header + "' is outside the blob's " + size + " bytes");
            }
            return new ByteRange(start, end);
        } catch (NumberFormatException e) {
            throw new Unsatisfiable("bad range '" + header + "'");
        }
    }

    /** Answered with 416. */
    static final class Unsatisfiable extends RuntimeException {
        Unsatisfiable(String message) {
            super(message);
        }
    }
}

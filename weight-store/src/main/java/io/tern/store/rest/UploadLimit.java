package io.tern.store.rest;

import io.tern.store.core.Sizes;
import io.tern.store.core.StoreException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The cap on one uploaded body ({@code tern.store.max-upload-bytes}): an upload whose Content-Length
 * says more is refused before a byte is read, and a body that turns out longer (chunked, or a
 * client that lies) is cut off at the first byte past the cap. Either way the caller gets 413 and the
 * importer deletes its partial work file.
 */
final class UploadLimit {

    private UploadLimit() {
    }

    /** The body, counted; throws {@link StoreException.Kind#TOO_LARGE} once it passes {@code max} bytes. */
    static InputStream apply(long max, Long declaredLength, InputStream body) {
        if (declaredLength != null && declaredLength > max) {
            throw tooLarge(max, "its Content-Length is " + declaredLength + " bytes");
        }
        return new FilterInputStream(body) {
            private long received;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    count(1);
                }
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, len);
                if (n > 0) {
                    count(n);
                }
                return n;
            }

            private void count(int n) {
                received += n;
                if (received > max) {
                    throw tooLarge(max, "more than that arrived");
                }
            }
        };
    }

    private static StoreException tooLarge(long max, String why) {
        return StoreException.tooLarge("upload too large: the store accepts at most " + max + " bytes ("
                + Sizes.human(max) + ", tern.store.max-upload-bytes) per upload and " + why);
    }
}
